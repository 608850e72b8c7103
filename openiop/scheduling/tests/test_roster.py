"""The facilitator's roster (/sessions/<id>/roster/): one tap per client, corrections with a
reason and their history, who may open it, and a query count that does not grow."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World
from openiop.programs.testing import fill_program
from openiop.programs.tests.enrollment_support import persona
from openiop.scheduling.models import Attendance, Booking, BookingStatus, Session
from openiop.scheduling.services.attendance import REASON_NEEDED, attendance_record
from openiop.scheduling.tests.attendance_support import book, make_session

AssertQueries = Callable[[int], ContextManager[object]]
Login = Callable[[User], HttpClient]


@pytest.fixture
def session(world: World) -> Session:
    """Fran's group, which started an hour ago; Alex and Blair are booked."""
    session = make_session(world.program, world.fran, timezone.now() - timedelta(hours=1))
    book(session, world.alex, world.blair)
    return session


def _url(session: Session) -> str:
    return f"/sessions/{session.pk}/roster/"


def test_one_tap_records_a_status(world: World, session: Session, login_as: Login) -> None:
    client = login_as(world.fran)
    page = client.get(_url(session)).content.decode()
    assert "Testperson" in page and "Otherperson" in page
    assert page.count('name="status" value="present"') == 2
    response = client.post(_url(session), {"client": world.alex.pk, "status": "present"})
    assert response.status_code == 302
    assert response["Location"] == f"{_url(session)}#client-{world.alex.pk}"
    record = Attendance.objects.get(session=session, client=world.alex)
    assert (record.status, record.source, record.recorded_by) == ("present", "roster", world.fran)
    assert AuditEvent.objects.filter(object_type="attendance", action="create").count() == 1
    page = client.get(_url(session)).content.decode()
    assert "Recorded: <strong>Present</strong>" in page
    assert 'value="present" class="primary" aria-pressed="true"' in page


def test_late_tapped_during_the_session_records_when_they_joined(
    world: World, session: Session, login_as: Login
) -> None:
    login_as(world.fran).post(_url(session), {"client": world.blair.pk, "status": "late"})
    record = Attendance.objects.get(session=session, client=world.blair)
    assert record.joined_at is not None
    assert session.starts_at < record.joined_at <= timezone.now()


def test_a_correction_needs_a_reason_and_shows_the_history(
    world: World, session: Session, login_as: Login
) -> None:
    client = login_as(world.fran)
    client.post(_url(session), {"client": world.alex.pk, "status": "absent"})
    refused = client.post(_url(session), {"client": world.alex.pk, "status": "present"})
    assert refused.status_code == 400
    assert REASON_NEEDED in refused.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1
    client.post(
        _url(session),
        {"client": world.alex.pk, "status": "present", "reason": "joined by phone"},
    )
    page = client.get(_url(session)).content.decode()
    assert "Recorded: <strong>Present</strong>" in page
    assert '<span class="tag">corrected</span>' in page
    assert "Earlier records (1)" in page and "Absent" in page
    assert "corrected because: joined by phone" in page
    assert Attendance.objects.filter(session=session, client=world.alex).count() == 2


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("fran", {"alex", "blair"}),  # the session's facilitator
        ("dale", {"alex", "blair"}),  # the program's director
        ("casey", {"alex"}),  # Alex's primary clinician: only Alex
        ("quinn", {"blair"}),
        ("gale", {"blair"}),  # on Blair's care team as facilitator
    ],
)
def test_who_sees_which_rows(
    world: World, session: Session, login_as: Login, name: str, sees: set[str]
) -> None:
    page = login_as(persona(world, name)).get(_url(session)).content.decode()
    assert ("Testperson" in page) == ("alex" in sees)
    assert ("Otherperson" in page) == ("blair" in sees)


@pytest.mark.parametrize(
    "name", ["birch_director", "birch_clinician", "cora", "ada", "alex", "blair", "fay"]
)
def test_everyone_else_gets_404_and_writes_nothing(
    world: World, session: Session, login_as: Login, name: str
) -> None:
    client = login_as(persona(world, name))
    assert client.get(_url(session)).status_code == 404
    assert (
        client.post(_url(session), {"client": world.alex.pk, "status": "present"}).status_code
        == 404
    )
    assert client.get("/sessions/999999/roster/").status_code == 404
    assert not Attendance.objects.exists()


def test_a_clinician_cannot_tap_for_a_client_not_on_their_caseload(
    world: World, session: Session, login_as: Login
) -> None:
    response = login_as(world.casey).post(
        _url(session), {"client": world.blair.pk, "status": "no_show"}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_roster_reads_are_audited_per_client(
    world: World, session: Session, login_as: Login
) -> None:
    login_as(world.fran).get(_url(session))
    events = AuditEvent.objects.filter(object_type="session_roster", action="read")
    assert {e.client_id for e in events} == {world.alex.pk, world.blair.pk}


def test_roster_query_count_does_not_grow_with_clients(
    world: World, session: Session, login_as: Login, django_assert_num_queries: AssertQueries
) -> None:
    client = login_as(world.fran)
    client.get("/")  # the first request stores the session's timestamps
    attendance_record(
        session=session, client=world.alex, status="absent", source="roster", actor=world.fran
    )
    attendance_record(
        session=session,
        client=world.alex,
        status="present",
        source="roster",
        actor=world.fran,
        reason="late network",
    )
    for total in (10, 500):
        have = Booking.objects.filter(session=session).count()
        made = fill_program(world.program, clients=total - have, prefix=f"r{have}-")
        Booking.objects.bulk_create(
            [Booking(session=session, client=c, status=BookingStatus.BOOKED) for c in made]
        )
        # Session, user, OTP device; the session with program and track, the caller's right
        # to it as EXISTS subqueries; the booked seats with their clients; every attendance
        # record of the session with who recorded it; the idle timestamp (SAVEPOINT, UPDATE,
        # RELEASE); the read events of the listed clients, written together.
        with django_assert_num_queries(9 + list_read_audit_queries()):
            response = client.get(_url(session))
        assert response.status_code == 200
        assert response.content.decode().count('name="status" value="no_show"') == total
