"""The director's weekly hours table (/programs/<slug>/compliance/?week=YYYY-Www)."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World
from openiop.programs.models import Client, Phase
from openiop.programs.testing import fill_program
from openiop.programs.tests.enrollment_support import persona
from openiop.scheduling.models import Attendance, Booking, BookingStatus, Session
from openiop.scheduling.tests.attendance_support import book, enroll, make_session

AssertQueries = Callable[[int], ContextManager[object]]
Login = Callable[[User], HttpClient]
CHICAGO = ZoneInfo("America/Chicago")
URL = "/programs/maple/compliance/?week=2026-W06"


def _group(world: World, day: int) -> Session:
    return make_session(world.program, world.fran, datetime(2026, 2, day, 18, tzinfo=CHICAGO))


def _present(session: Session, *clients: Client) -> None:
    Attendance.objects.bulk_create(
        [Attendance(session=session, client=c, status="present", source="roster") for c in clients]
    )


@pytest.fixture
def week(world: World) -> World:
    """Alex (active, 9 h): Monday attended, Tuesday and Thursday still booked. Blair
    (step-down, 4.5 h): nothing booked, so the week cannot be met."""
    enroll(world.alex, Phase.ACTIVE)
    enroll(world.blair, Phase.STEP_DOWN)
    monday = _group(world, 2)
    book(monday, world.alex)
    _present(monday, world.alex)
    book(_group(world, 3), world.alex)
    book(_group(world, 5), world.alex)
    return world


def test_table_shows_hours_billable_days_and_the_flag(week: World, login_as: Login) -> None:
    response = login_as(week.dale).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "hours, week 2026-W06" in body
    rows = {row.client.pk: row for row in response.context["rows"]}
    alex, blair = rows[week.alex.pk].hours, rows[week.blair.pk].hours
    assert (alex.attended_hours, alex.billable_days, alex.cannot_meet) == (3, 1, False)
    assert (blair.required_hours, blair.cannot_meet) == (4.5, True)
    assert "Cannot meet 4.5 h this week" in body
    assert "Short by 6.00 h" in body
    assert "1 cannot meet the week" in body
    assert '<abbr title="billable day">B</abbr>' in body
    assert 'href="?week=2026-W05" rel="prev"' in body
    assert {e.client_id for e in AuditEvent.objects.filter(object_type="hours_compliance")} == {
        week.alex.pk,
        week.blair.pk,
    }


def test_without_a_week_it_shows_the_current_one(week: World, login_as: Login) -> None:
    response = login_as(week.dale).get("/programs/maple/compliance/")
    assert response.status_code == 200
    assert response.context["week"] is not None


@pytest.mark.parametrize("bad", ["2026-6", "W06", "2026-W99", "<script>"])
def test_a_bad_week_says_the_format(week: World, login_as: Login, bad: str) -> None:
    response = login_as(week.dale).get("/programs/maple/compliance/", {"week": bad})
    assert response.status_code == 400
    assert "Give the week as YYYY-Www" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["casey", "fran", "quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "alex"],
)
def test_only_the_programs_directors_open_it(week: World, login_as: Login, name: str) -> None:
    assert login_as(persona(week, name)).get(URL).status_code == 404


def test_query_count_does_not_grow_with_clients(
    week: World, login_as: Login, django_assert_num_queries: AssertQueries
) -> None:
    client = login_as(week.dale)
    client.get("/")  # the first request stores the session's timestamps
    monday, tuesday = _group(week, 2), _group(week, 3)
    for total in (10, 500):
        have = Client.objects.filter(program=week.program).count()
        made = fill_program(week.program, clients=total - have, prefix=f"c{have}-")
        Booking.objects.bulk_create(
            [
                Booking(session=s, client=c, status=BookingStatus.BOOKED)
                for c in made
                for s in (monday, tuesday)
            ]
        )
        _present(monday, *made)
        # Session, user, OTP device; the program (directed by the caller); active and
        # step-down enrollments with their clients; the same clients' enrollments with the
        # program (required hours); the week's current attendance with its sessions; the
        # week's booked sessions with no attendance yet; the idle timestamp (SAVEPOINT,
        # UPDATE, RELEASE); the read events of the listed clients, written together.
        with django_assert_num_queries(11 + list_read_audit_queries()):
            response = client.get(URL)
        assert response.status_code == 200
        assert len(response.context["rows"]) > total // 11 * 2
