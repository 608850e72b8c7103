"""attendance_record: statuses, credited minutes, corrections that keep the original."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.scheduling.models import Attendance, BookingStatus, Session
from openiop.scheduling.services.attendance import (
    NOT_BOOKED,
    REASON_NEEDED,
    attendance_minutes,
    attendance_record,
    credited_minutes,
)
from openiop.scheduling.tests.attendance_support import book, make_session

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Sunday 18:00 in Chicago
LATER = START + timedelta(days=1)


@pytest.fixture
def session(world: World) -> Session:
    session = make_session(world.program, world.fran, START, minutes=180)
    book(session, world.alex)
    return session


def _record(world: World, session: Session, status: str, **kwargs: object) -> Attendance:
    return attendance_record(
        session=session,
        client=world.alex,
        status=status,
        source="roster",
        actor=world.fran,
        now=LATER,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("status", "joined", "left", "minutes"),
    [
        ("present", None, None, 180),
        ("present", -10, 190, 180),  # joined early and stayed late: only the session counts
        ("late", 30, None, 150),
        ("left_early", None, 120, 120),
        ("late", 20, 100, 80),
        ("excused", None, None, 0),
        ("absent", None, None, 0),
        ("no_show", None, None, 0),
    ],
)
def test_each_status_credits_the_overlap_with_the_session(
    world: World,
    session: Session,
    status: str,
    joined: int | None,
    left: int | None,
    minutes: int,
) -> None:
    times = {
        "joined_at": START + timedelta(minutes=joined) if joined is not None else None,
        "left_at": START + timedelta(minutes=left) if left is not None else None,
    }
    record = _record(world, session, status, **times)
    record.refresh_from_db()
    assert record.status == status and record.is_current and record.supersedes is None
    assert record.recorded_by == world.fran and record.source == "roster"
    assert attendance_minutes(record, session) == minutes
    event = AuditEvent.objects.get(object_type="attendance", object_id=str(record.pk))
    assert (event.action, event.client_id, event.actor) == ("create", world.alex.pk, world.fran)


def test_credited_minutes_is_zero_when_the_times_miss_the_session(session: Session) -> None:
    after = session.ends_at + timedelta(minutes=5)
    assert credited_minutes(session=session, status="present", joined_at=after, left_at=None) == 0


def test_a_correction_keeps_the_original_needs_a_reason_and_is_audited(
    world: World, session: Session
) -> None:
    first = _record(world, session, "absent")
    with pytest.raises(ValidationError) as refused:
        _record(world, session, "present")
    assert REASON_NEEDED in refused.value.messages
    assert Attendance.objects.count() == 1

    second = _record(world, session, "late", joined_at=START + timedelta(minutes=15), reason="typo")
    first.refresh_from_db()
    assert not first.is_current and first.status == "absent"  # the original stays as it was
    assert second.supersedes == first and second.is_current
    assert second.correction_reason == "typo"
    current = Attendance.objects.get(session=session, client=world.alex, is_current=True)
    assert current == second
    events = AuditEvent.objects.filter(object_type="attendance").order_by("seq")
    assert [(e.action, e.object_id) for e in events] == [
        ("create", str(first.pk)),
        ("update", str(second.pk)),
    ]
    assert events[1].reason == f"corrects attendance {first.pk}: typo"


def test_a_client_not_booked_is_refused_and_nothing_is_written(
    world: World, session: Session
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        attendance_record(
            session=session,
            client=world.blair,
            status="present",
            source="roster",
            actor=world.fran,
            now=LATER,
        )
    assert refused.value.messages == [NOT_BOOKED]
    assert Attendance.objects.count() == 0 and AuditEvent.objects.count() == before


def test_a_waitlisted_or_cancelled_booking_is_not_booked(world: World) -> None:
    session = make_session(world.program, world.fran, START)
    book(session, world.alex, status=BookingStatus.WAITLISTED)
    book(session, world.blair, status=BookingStatus.CANCELLED)
    for client in (world.alex, world.blair):
        with pytest.raises(ValidationError):
            attendance_record(
                session=session,
                client=client,
                status="present",
                source="roster",
                actor=world.fran,
                now=LATER,
            )


@pytest.mark.parametrize(
    ("status", "joined", "left"),
    [
        ("present", -120, None),  # two hours before the start
        ("present", None, 300),  # two hours after the end
        ("present", 60, 30),  # left before joining
        ("absent", 10, None),  # absent with a joined time
        ("asleep", None, None),
    ],
)
def test_insane_times_and_unknown_statuses_are_refused(
    world: World, session: Session, status: str, joined: int | None, left: int | None
) -> None:
    with pytest.raises(ValidationError):
        _record(
            world,
            session,
            status,
            joined_at=START + timedelta(minutes=joined) if joined is not None else None,
            left_at=START + timedelta(minutes=left) if left is not None else None,
        )
    assert Attendance.objects.count() == 0


def test_a_naive_time_is_refused(world: World, session: Session) -> None:
    with pytest.raises(ValidationError):
        _record(world, session, "present", joined_at=datetime(2026, 3, 2, 0, 5))


def test_cancelled_and_future_sessions_take_no_attendance(world: World) -> None:
    cancelled = make_session(world.program, world.fran, START, status="cancelled")
    future = make_session(world.program, world.fran, LATER + timedelta(hours=1))
    book(cancelled, world.alex)
    book(future, world.alex)
    for session in (cancelled, future):
        with pytest.raises(ValidationError):
            _record(world, session, "present")
    assert Attendance.objects.count() == 0
