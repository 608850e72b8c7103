from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World
from openiop.programs.services import client_create
from openiop.scheduling.models import (
    Booking,
    BookingStatus,
    SeriesEnrollment,
    Session,
    SessionSeries,
)
from openiop.scheduling.services.bookings import (
    BookingRefused,
    RescheduleRefused,
    booking_cancel,
    booking_create,
    booking_reschedule,
    free_individual_slots,
    reschedule_refusal,
    series_join,
    waitlist_position,
)
from openiop.scheduling.tests.booking_helpers import enrolled, session

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(world: World, n: int):  # type: ignore[no-untyped-def]
    client = client_create(
        program=world.program,
        email=f"c{n}@example.test",
        first_name=f"C{n}",
        last_name="Seat",
        date_of_birth=None,
        time_zone="America/Chicago",
        password=PASSWORD,
    )
    enrolled(client)
    return client


def test_group_seats_fill_then_waitlist_in_order(world: World) -> None:
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=2)
    clients = [_client(world, n) for n in range(4)]
    outcomes = [booking_create(session=group, client=c, actor=world.dale) for c in clients]
    assert [o.booking.status for o in outcomes] == ["booked", "booked", "waitlisted", "waitlisted"]
    assert [o.waitlist_position for o in outcomes] == [None, None, 1, 2]
    assert AuditEvent.objects.filter(object_type="booking", action="create").count() == 4


def test_individual_session_holds_one_client(world: World) -> None:
    enrolled(world.alex, world.blair)
    one = session(world.program, world.casey, NOW + timedelta(days=2), kind="individual")
    assert booking_create(session=one, client=world.alex, actor=None).waitlist_position is None
    assert booking_create(session=one, client=world.blair, actor=None).waitlist_position == 1


def test_group_without_capacity_uses_program_group_size(world: World) -> None:
    world.program.max_group_size = 1
    world.program.save()
    enrolled(world.alex, world.blair)
    group = session(world.program, world.fran, NOW + timedelta(days=1))
    booking_create(session=group, client=world.alex, actor=None)
    assert booking_create(session=group, client=world.blair, actor=None).waitlist_position == 1


def test_cancel_promotes_first_waitlisted_and_audits_both(world: World) -> None:
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=1)
    first, second, third = (_client(world, n) for n in range(3))
    seat = booking_create(session=group, client=first, actor=None).booking
    wait2 = booking_create(session=group, client=second, actor=None).booking
    wait3 = booking_create(session=group, client=third, actor=None).booking
    promoted = booking_cancel(booking=seat, actor=first.user)
    assert promoted is not None and promoted.pk == wait2.pk
    wait2.refresh_from_db()
    wait3.refresh_from_db()
    seat.refresh_from_db()
    assert (seat.status, wait2.status, wait3.status) == ("cancelled", "booked", "waitlisted")
    assert waitlist_position(wait3) == 1
    reasons = list(
        AuditEvent.objects.filter(action="update", object_type="booking")
        .order_by("seq")
        .values_list("client_id", "reason")
    )
    assert reasons == [(first.pk, "cancelled"), (second.pk, "promoted from the waitlist")]


def test_cancelling_a_waitlisted_place_promotes_nobody(world: World) -> None:
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=1)
    a, b = _client(world, 1), _client(world, 2)
    booking_create(session=group, client=a, actor=None)
    waiting = booking_create(session=group, client=b, actor=None).booking
    assert booking_cancel(booking=waiting, actor=None) is None
    assert Booking.objects.filter(status="booked").count() == 1


def test_double_booking_refused_with_nothing_written(world: World) -> None:
    enrolled(world.alex)
    group = session(world.program, world.fran, NOW + timedelta(days=1))
    booking_create(session=group, client=world.alex, actor=None)
    before = (Booking.objects.count(), AuditEvent.objects.count())
    with pytest.raises(BookingRefused, match="already has a place"):
        booking_create(session=group, client=world.alex, actor=None)
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before


def test_waitlisted_client_cannot_join_the_list_twice(world: World) -> None:
    group = session(world.program, world.fran, NOW + timedelta(days=1), capacity=1)
    a, b = _client(world, 1), _client(world, 2)
    booking_create(session=group, client=a, actor=None)
    booking_create(session=group, client=b, actor=None)
    with pytest.raises(BookingRefused):
        booking_create(session=group, client=b, actor=None)


def test_clash_with_another_booked_session_refused(world: World) -> None:
    enrolled(world.alex)
    first = session(world.program, world.fran, NOW + timedelta(days=1), minutes=180)
    overlapping = session(world.program, world.gale, NOW + timedelta(days=1, hours=1))
    booking_create(session=first, client=world.alex, actor=None)
    with pytest.raises(BookingRefused, match="another session at that time"):
        booking_create(session=overlapping, client=world.alex, actor=None)
    after = session(world.program, world.gale, NOW + timedelta(days=1, hours=3))
    assert booking_create(session=after, client=world.alex, actor=None).booking.status == "booked"


@pytest.mark.parametrize("when", ["cancelled", "past", "started"])
def test_cancelled_or_past_session_refused(world: World, when: str) -> None:
    enrolled(world.alex)
    starts = {"cancelled": NOW + timedelta(days=1), "past": NOW - timedelta(days=1)}
    target = session(
        world.program,
        world.fran,
        starts.get(when, NOW - timedelta(minutes=5)),
        status="cancelled" if when == "cancelled" else "scheduled",
    )
    before = AuditEvent.objects.count()
    with pytest.raises(BookingRefused):
        booking_create(session=target, client=world.alex, actor=None)
    assert not Booking.objects.exists()
    assert AuditEvent.objects.count() == before


def test_client_without_open_enrollment_refused(world: World) -> None:
    group = session(world.program, world.fran, NOW + timedelta(days=1))
    with pytest.raises(BookingRefused, match="no open enrollment"):
        booking_create(session=group, client=world.alex, actor=None)


@pytest.mark.filterwarnings("ignore:DateTimeField SessionSeries.first_local_start")
def test_series_join_books_future_occurrences_and_waitlists_full_ones(world: World) -> None:
    enrolled(world.alex, world.blair)
    series = SessionSeries.objects.create(
        program=world.program,
        kind="group",
        facilitator=world.fran,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        first_local_start=datetime(2026, 2, 23, 18, 0),
        time_zone="America/Chicago",
        duration_minutes=180,
        capacity=1,
    )
    past, soon, later = (
        session(world.program, world.fran, NOW + timedelta(days=d), capacity=1) for d in (-7, 7, 14)
    )
    for s in (past, soon, later):
        s.series = series
        s.series_slot = s.starts_at
        s.save()
    booking_create(session=later, client=world.blair, actor=None)
    outcomes = series_join(series=series, client=world.alex, actor=world.casey)
    assert [(o.booking.session_id, o.booking.status) for o in outcomes] == [
        (soon.pk, "booked"),
        (later.pk, "waitlisted"),
    ]
    assert SeriesEnrollment.objects.filter(series=series, client=world.alex).count() == 1
    assert series_join(series=series, client=world.alex, actor=None) == []  # idempotent
    assert SeriesEnrollment.objects.filter(series=series, client=world.alex).count() == 1


def _individual_booking(world: World, hours_ahead: float) -> tuple[Booking, Session]:
    enrolled(world.alex)
    mine = session(
        world.program, world.casey, NOW + timedelta(hours=hours_ahead), kind="individual"
    )
    free = session(world.program, world.casey, NOW + timedelta(days=3), kind="individual")
    return booking_create(session=mine, client=world.alex, actor=None).booking, free


def test_reschedule_outside_notice_window_moves_the_booking(world: World) -> None:
    booking, free = _individual_booking(world, 48)
    session(world.program, world.quinn, NOW + timedelta(days=3), kind="individual")  # not Casey
    assert list(free_individual_slots(booking.session, NOW)) == [free]
    moved = booking_reschedule(booking=booking, to_session=free, actor=world.alex.user)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert (moved.session_id, moved.status) == (free.pk, "booked")
    assert (
        AuditEvent.objects.filter(client_id=world.alex.pk, reason__startswith="reschedul").count()
        == 2
    )


def test_reschedule_inside_notice_window_refused_with_reason(world: World) -> None:
    booking, free = _individual_booking(world, 23)
    reason = reschedule_refusal(booking, NOW)
    assert reason == (
        "Sessions can be moved up to 24 hours before they start; "
        "call your care team at +1 555 0100 999."
    )
    with pytest.raises(RescheduleRefused):
        booking_reschedule(booking=booking, to_session=free, actor=None)
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_reschedule_into_a_taken_slot_refused(world: World) -> None:
    booking, free = _individual_booking(world, 48)
    enrolled(world.blair)
    booking_create(session=free, client=world.blair, actor=None)
    with pytest.raises(RescheduleRefused, match="no longer free"):
        booking_reschedule(booking=booking, to_session=free, actor=None)


def test_reschedule_notice_follows_the_program_setting(world: World) -> None:
    world.program.reschedule_notice_hours = 72
    world.program.save()
    booking, _free = _individual_booking(world, 48)
    assert reschedule_refusal(booking, NOW).startswith("Sessions can be moved up to 72 hours")
