"""The director's capacity board (/programs/<slug>/capacity/?week=YYYY-Www)."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.testing import fill_program
from openiop.programs.tests.enrollment_support import persona
from openiop.scheduling.models import BookingStatus, SessionKind
from openiop.scheduling.tests.attendance_support import book
from openiop.scheduling.tests.booking_helpers import session, track

AssertQueries = Callable[[int], ContextManager[object]]
Login = Callable[[User], HttpClient]
CHICAGO = ZoneInfo("America/Chicago")
URL = "/programs/maple/capacity/?week=2026-W06"  # Monday 2 to Sunday 8 February 2026


@pytest.fixture
def week(world: World) -> World:
    """Evenings: Monday (Alex booked, Blair waiting, 1 seat) and a Wednesday cancelled
    session; Mornings: one skills group on Sunday 23:30 Chicago (Monday in UTC); an
    individual session that is not on the board."""
    evenings = track(world.program, "Adult mood — evenings")
    mornings = track(world.program, "Adult mood — mornings", "morning")
    monday = session(
        world.program,
        world.fran,
        datetime(2026, 2, 2, 18, tzinfo=CHICAGO),
        capacity=1,
        track=evenings,
    )
    book(monday, world.alex)
    book(monday, world.blair, status=BookingStatus.WAITLISTED)
    session(
        world.program,
        world.fran,
        datetime(2026, 2, 4, 18, tzinfo=CHICAGO),
        capacity=8,
        track=evenings,
        status="cancelled",
        reason="Closed: Staff training",
    )
    session(
        world.program,
        world.gale,
        datetime(2026, 2, 8, 23, 30, tzinfo=CHICAGO),
        kind=SessionKind.SKILLS,
        capacity=6,
        track=mornings,
    )
    session(
        world.program,
        world.casey,
        datetime(2026, 2, 3, 10, tzinfo=CHICAGO),
        kind=SessionKind.INDIVIDUAL,
    )
    session(  # the week before, in Chicago
        world.program, world.fran, datetime(2026, 2, 1, 23, tzinfo=CHICAGO), track=evenings
    )
    return world


def test_board_shows_sessions_seats_waitlists_and_cancellations(
    week: World, login_as: Login
) -> None:
    response = login_as(week.dale).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    tracks = {t.name: t for t in response.context["tracks"]}
    assert set(tracks) == {"Adult mood — evenings", "Adult mood — mornings"}
    evenings, mornings = tracks["Adult mood — evenings"], tracks["Adult mood — mornings"]
    assert [s.booked for s in evenings.sessions] == [1, 0]
    assert [s.waiting for s in evenings.sessions] == [1, 0]
    assert (evenings.capacity, evenings.booked, evenings.waiting, evenings.cancelled) == (
        1,
        1,
        1,
        1,
    )
    assert (mornings.capacity, mornings.booked, mornings.waiting) == (6, 0, 0)
    assert "Mon 2 Feb 18:00–19:30" in body  # local time, not UTC
    assert "Sun 8 Feb 23:30" in body  # Sunday in Chicago although Monday in UTC
    assert "Cancelled: Closed: Staff training" in body
    assert "1 of 1 seats booked, 1 waiting, 1 cancelled" in body
    assert 'class="scroll"' in body and '<th scope="col">Waitlist</th>' in body
    assert "Testperson" not in body and "Otherperson" not in body  # no client names
    assert not AuditEvent.objects.filter(object_type="capacity_board").exists()


def test_without_a_week_it_shows_the_current_one(week: World, login_as: Login) -> None:
    response = login_as(week.dale).get("/programs/maple/capacity/")
    assert response.status_code == 200


@pytest.mark.parametrize("bad", ["2026-6", "W06", "2026-W99", "<script>"])
def test_a_bad_week_is_refused_with_the_format(week: World, login_as: Login, bad: str) -> None:
    response = login_as(week.dale).get("/programs/maple/capacity/", {"week": bad})
    assert response.status_code == 400
    assert "Give the week as YYYY-Www" in response.content.decode()
    assert "<script>" not in response.content.decode().split("</header>")[-1].replace(
        'value="&lt;script&gt;"', ""
    )


@pytest.mark.parametrize(
    "name", ["birch_director", "casey", "quinn", "fran", "gale", "cora", "ada", "alex", "fay"]
)
def test_only_the_programs_directors_open_it(week: World, login_as: Login, name: str) -> None:
    response = login_as(persona(week, name)).get(URL)
    assert response.status_code == 404


def test_the_program_board_links_to_it(week: World, login_as: Login) -> None:
    body = login_as(week.dale).get("/programs/maple/board/").content.decode()
    assert 'href="/programs/maple/capacity/"' in body


@pytest.mark.parametrize("clients", [10, 500])
def test_query_count_does_not_grow_with_clients_or_sessions(
    week: World, login_as: Login, django_assert_num_queries: AssertQueries, clients: int
) -> None:
    evenings = week.program.tracks.get(name="Adult mood — evenings")
    filled = fill_program(week.program, clients=clients)
    for day in range(2, 9):
        extra = session(
            week.program,
            week.fran,
            datetime(2026, 2, day, 12, tzinfo=CHICAGO),
            capacity=clients // 2,
            track=evenings,
        )
        book(extra, *filled[: clients // 2])
        book(extra, *filled[clients // 2 :], status=BookingStatus.WAITLISTED)
    http = login_as(week.dale)
    http.get("/")  # the first request stores the session's timestamps
    # Session, user, OTP device; the program (directed by the user); the week's group and
    # skills sessions with their tracks joined and booked and waiting counted (one query);
    # the session's idle timestamp saved inside a savepoint (SAVEPOINT, UPDATE, RELEASE).
    # No audit write: the page names no client, so PostgreSQL and SQLite count alike.
    with django_assert_num_queries(8):
        response = http.get(URL)
    assert response.status_code == 200
    assert sum(t.booked for t in response.context["tracks"]) == 1 + 7 * (clients // 2)
