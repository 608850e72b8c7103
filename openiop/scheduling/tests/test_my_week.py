"""The client's "My week" page and their booking, moving and availability pages."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World
from openiop.programs.models import Client
from openiop.programs.services import client_create
from openiop.scheduling.models import Availability, Booking
from openiop.scheduling.services.bookings import booking_create
from openiop.scheduling.tests.booking_helpers import enrolled, session, track

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 9:00 am in Chicago, 8:30 pm in Kolkata
pytestmark = pytest.mark.django_db
Login = Callable[[User], HttpClient]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def kolkata(world: World) -> Client:
    world.alex.time_zone = "Asia/Kolkata"
    world.alex.save()
    enrolled(world.alex)
    return world.alex


def _html(http: HttpClient, url: str = "/my-week/") -> str:
    response = http.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_times_are_in_the_clients_own_zone(world: World, kolkata: Client, login_as: Login) -> None:
    # 12:30 UTC Tuesday = 6:30 am Chicago = 6:00 pm Kolkata
    group = session(world.program, world.fran, datetime(2026, 3, 3, 12, 30, tzinfo=UTC))
    booking_create(session=group, client=kolkata, actor=None)
    html = _html(login_as(kolkata.user))
    assert "Asia/Kolkata" in html
    assert "Tuesday 3 March" in html
    assert "6:00 – 7:30 pm" in html
    assert "Group session" in html
    event = AuditEvent.objects.get(object_type="my_week")
    assert (event.client_id, event.action) == (kolkata.pk, "read")


def test_a_session_crossing_noon_reads_am_to_pm(world: World, login_as: Login) -> None:
    enrolled(world.alex)  # Chicago
    group = session(world.program, world.fran, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), minutes=180)
    booking_create(session=group, client=world.alex, actor=None)
    assert "11:00 am – 2:00 pm" in _html(login_as(world.alex.user))


def _fresh(client: Client) -> HttpClient:
    """A new browser session (the idle timeout would end the old one across the jumps)."""
    http = HttpClient()
    http.force_login(client.user)
    return http


def test_join_button_only_inside_the_join_window(
    world: World, kolkata: Client, login_as: Login, _frozen: time_machine.Traveller
) -> None:
    group = session(world.program, world.fran, NOW + timedelta(minutes=30))
    booking_create(session=group, client=kolkata, actor=None)
    http = login_as(kolkata.user)
    join = f'href="/sessions/{group.pk}/join/"'
    assert join not in _html(http)
    _frozen.shift(timedelta(minutes=16))  # 14 minutes before the start
    assert join in _html(_fresh(kolkata))
    _frozen.shift(timedelta(minutes=105))  # over
    assert join not in _html(_fresh(kolkata))


def test_cancelled_session_shows_its_reason_and_no_join(
    world: World, kolkata: Client, login_as: Login
) -> None:
    group = session(world.program, world.fran, NOW + timedelta(minutes=5))
    booking_create(session=group, client=kolkata, actor=None)
    group.status = "cancelled"
    group.status_reason = "Facilitator unwell"
    group.save()
    html = _html(login_as(kolkata.user))
    assert "This session is cancelled: Facilitator unwell." in html
    assert "/join/" not in html


def test_waitlist_position_is_shown(world: World, kolkata: Client, login_as: Login) -> None:
    enrolled(world.blair)
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=1)
    booking_create(session=group, client=world.blair, actor=None)
    booking_create(session=group, client=kolkata, actor=None)
    assert "on the waitlist: number 1" in _html(login_as(kolkata.user))


def test_only_the_next_seven_days_are_listed(
    world: World, kolkata: Client, login_as: Login
) -> None:
    later = session(world.program, world.fran, NOW + timedelta(days=8))
    booking_create(session=later, client=kolkata, actor=None)
    assert "Nothing booked." in _html(login_as(kolkata.user))


@pytest.mark.parametrize("name", ["casey", "fran", "dale", "cora", "ada", "fay"])
def test_staff_have_no_my_week(world: World, login_as: Login, name: str) -> None:
    for url in ("/my-week/", "/my-week/book/", "/my-week/availability/"):
        assert login_as(getattr(world, name)).get(url).status_code == 404


def test_home_page_links_to_my_week(world: World, login_as: Login) -> None:
    assert 'href="/my-week/"' in _html(login_as(world.alex.user), "/me/")


def _fill(world: World, client: Client, n: int) -> None:
    """`n` sessions this week for `client`, booked, waitlisted or cancelled, each with other
    clients booked too."""
    others = [
        client_create(
            program=world.program,
            email=f"o{i}@example.test",
            first_name="O",
            last_name=f"{i}",
            date_of_birth=None,
            time_zone="America/Chicago",
            password=PASSWORD,
        )
        for i in range(2)
    ]
    enrolled(*others)
    sessions = [
        session(
            world.program, world.fran, NOW + timedelta(hours=2 + i * 0.25), minutes=10, capacity=1
        )
        for i in range(n)
    ]
    for i, s in enumerate(sessions):
        if i % 3 == 0:
            booking_create(session=s, client=others[0], actor=None)  # client waits
        booking_create(session=s, client=client, actor=None)
        if i % 3 == 1:
            booking_create(session=s, client=others[1], actor=None)
    for s in sessions[2::3]:
        s.status = "cancelled"
        s.status_reason = "Holiday"
        s.save()


@pytest.mark.parametrize("n", [10, 500])
def test_my_week_runs_a_fixed_number_of_queries(
    world: World,
    kolkata: Client,
    login_as: Login,
    django_assert_num_queries: Callable,
    n: int,
) -> None:
    _fill(world, kolkata, n)
    http = login_as(kolkata.user)
    # django_session, user, the client (3); the audit read: savepoint, the chain's advisory
    # lock (PostgreSQL only), last event, insert, release (4 or 5); bookings with their
    # sessions and waitlist places (1), availability (1); make-up offers: missed groups (1),
    # candidate sessions with seats taken (1), sessions the client holds (1); the session's
    # idle timestamp: savepoint, update, release (3).
    with django_assert_num_queries(15 + (connection.vendor == "postgresql")):
        assert http.get("/my-week/").status_code == 200


# --- moving an individual session ----------------------------------------------------------


def _individual(world: World, client: Client, hours: float) -> Booking:
    mine = session(world.program, world.casey, NOW + timedelta(hours=hours), kind="individual")
    return booking_create(session=mine, client=client, actor=None).booking


def test_move_lists_free_slots_and_moves(world: World, kolkata: Client, login_as: Login) -> None:
    booking = _individual(world, kolkata, 48)
    free = session(world.program, world.casey, NOW + timedelta(days=4), kind="individual")
    http = login_as(kolkata.user)
    html = _html(http, f"/my-week/move/{booking.pk}/")
    assert f'value="{free.pk}"' in html
    response = http.post(f"/my-week/move/{booking.pk}/", {"to_session": free.pk})
    assert response.status_code == 302
    assert Booking.objects.get(client=kolkata, status="booked").session == free


def test_move_inside_the_notice_window_says_why(
    world: World, kolkata: Client, login_as: Login
) -> None:
    booking = _individual(world, kolkata, 20)
    free = session(world.program, world.casey, NOW + timedelta(days=4), kind="individual")
    http = login_as(kolkata.user)
    html = _html(http, f"/my-week/move/{booking.pk}/")
    assert "Sessions can be moved up to 24 hours before they start" in html
    assert "+1 555 0100 999" in html
    assert f'value="{free.pk}"' not in html
    http.post(f"/my-week/move/{booking.pk}/", {"to_session": free.pk})
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert not Booking.objects.filter(session=free).exists()


def test_another_clients_booking_cannot_be_moved(
    world: World, kolkata: Client, login_as: Login
) -> None:
    enrolled(world.blair)
    theirs = _individual(world, world.blair, 48)
    assert login_as(kolkata.user).get(f"/my-week/move/{theirs.pk}/").status_code == 404


# --- availability and the booking page -----------------------------------------------------


def test_availability_add_and_remove(world: World, kolkata: Client, login_as: Login) -> None:
    http = login_as(kolkata.user)
    response = http.post(
        "/my-week/availability/", {"weekday": 1, "start_time": "17:00", "end_time": "21:00"}
    )
    assert response.status_code == 302
    window = Availability.objects.get(client=kolkata)
    assert (window.weekday, window.start_time, window.end_time) == (1, time(17), time(21))
    assert "Tuesday, 5:00 p.m. – 9:00 p.m." in _html(http, "/my-week/availability/")
    bad = http.post(
        "/my-week/availability/", {"weekday": 1, "start_time": "21:00", "end_time": "17:00"}
    )
    assert bad.status_code == 400
    assert http.post(f"/my-week/availability/{window.pk}/remove/").status_code == 302
    assert not Availability.objects.exists()


def test_another_clients_window_cannot_be_removed(
    world: World, kolkata: Client, login_as: Login
) -> None:
    theirs = Availability.objects.create(
        client=world.blair, weekday=0, start_time=time(9), end_time=time(12)
    )
    response = login_as(kolkata.user).post(f"/my-week/availability/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert Availability.objects.filter(pk=theirs.pk).exists()


def test_booking_page_lists_what_fits_preferred_time_first(
    world: World, kolkata: Client, login_as: Login
) -> None:
    # Kolkata evenings 18:00-22:00 on Tuesday and Saturday.
    for weekday in (1, 5):
        Availability.objects.create(
            client=kolkata, weekday=weekday, start_time=time(18), end_time=time(22)
        )
    evenings = track(world.program, "Evening track", "evening")
    weekend = track(world.program, "Weekend track", "weekend")
    tuesday = session(
        world.program, world.fran, datetime(2026, 3, 3, 12, 30, tzinfo=UTC), track=evenings
    )  # 6:00 pm Kolkata
    saturday = session(
        world.program, world.fran, datetime(2026, 3, 7, 13, 0, tzinfo=UTC), track=weekend
    )  # 6:30 pm Kolkata
    too_late = session(
        world.program, world.fran, datetime(2026, 3, 3, 17, 0, tzinfo=UTC), track=evenings
    )  # 10:30 pm Kolkata
    http = login_as(kolkata.user)
    html = _html(http, "/my-week/book/?prefer=weekend")
    assert f'value="{too_late.pk}"' not in html
    assert html.index(f'value="{saturday.pk}"') < html.index(f'value="{tuesday.pk}"')
    html = _html(http, "/my-week/book/")
    assert html.index(f'value="{tuesday.pk}"') < html.index(f'value="{saturday.pk}"')
    assert http.post("/my-week/book/", {"session": tuesday.pk}).status_code == 302
    assert Booking.objects.get(client=kolkata).session == tuesday


def test_client_cancels_a_place_and_the_waitlist_moves_up(
    world: World, kolkata: Client, login_as: Login
) -> None:
    enrolled(world.blair)
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=1)
    mine = booking_create(session=group, client=kolkata, actor=None).booking
    waiting = booking_create(session=group, client=world.blair, actor=None).booking
    http = login_as(kolkata.user)
    assert "Cancel my place" in _html(http)
    assert http.post(f"/my-week/cancel/{mine.pk}/").status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "booked")


def test_another_clients_place_cannot_be_cancelled(
    world: World, kolkata: Client, login_as: Login
) -> None:
    enrolled(world.blair)
    group = session(world.program, world.fran, NOW + timedelta(days=1))
    theirs = booking_create(session=group, client=world.blair, actor=None).booking
    assert login_as(kolkata.user).post(f"/my-week/cancel/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "booked"
