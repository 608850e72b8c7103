"""Series, occurrences across daylight-saving changes, closures, moves, cancellations and
double bookings (openiop.scheduling.services.series)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import Program
from openiop.programs.services import program_staff_add
from openiop.scheduling.models import Closure, Session, SessionSeries
from openiop.scheduling.services.series import (
    HORIZON,
    closure_add,
    is_double_booking,
    series_create,
    series_extend_all,
    session_cancel,
    session_create_single,
    session_move,
)
from openiop.scheduling.tasks import series_extend_horizon

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    # Before both spring changes of 2026 (US 8 March, UK 29 March).
    with time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=UTC), tick=False):
        yield


def _in(world: World, zone: str) -> Program:
    program = world.program
    program.time_zone = zone
    program.save(update_fields=["time_zone"])
    return program


def _weekly(world: World, program: Program, start: datetime, rule: str, **extra: object):  # type: ignore[no-untyped-def]
    return series_create(
        program=program,
        kind="group",
        facilitator=world.fran,
        first_local_start=start,
        rrule=rule,
        actor=world.dale,
        **extra,  # type: ignore[arg-type]
    )


def _local(session: Session, zone: ZoneInfo) -> datetime:
    return session.starts_at.astimezone(zone)


def _snapshot() -> tuple[int, int, int]:
    return (SessionSeries.objects.count(), Session.objects.count(), AuditEvent.objects.count())


# Daylight saving ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "spring_day"),
    [("America/New_York", date(2026, 3, 8)), ("Europe/London", date(2026, 3, 29))],
)
def test_weekly_1800_stays_1800_local_across_spring_forward(
    world: World, zone: str, spring_day: date
) -> None:
    program = _in(world, zone)
    tz = ZoneInfo(zone)
    # The Sunday before the change, weekly on Sundays.
    first = datetime.combine(spring_day - timedelta(days=7), datetime.min.time()).replace(hour=18)
    series = _weekly(world, program, first, "FREQ=WEEKLY;BYDAY=SU")
    before, after = Session.objects.filter(series=series).order_by("starts_at")[:2]
    assert (_local(before, tz).hour, _local(after, tz).hour) == (18, 18)
    assert _local(after, tz).date() == spring_day
    # The UTC start is an hour earlier once summer time begins.
    assert before.starts_at.astimezone(UTC).hour - after.starts_at.astimezone(UTC).hour == 1
    assert after.ends_at - after.starts_at == timedelta(minutes=180)  # group default


@pytest.mark.parametrize(
    ("zone", "fall_day"),
    [("America/New_York", date(2026, 11, 1)), ("Europe/London", date(2026, 10, 25))],
)
def test_weekly_1800_stays_1800_local_across_fall_back(
    world: World, zone: str, fall_day: date
) -> None:
    program = _in(world, zone)
    tz = ZoneInfo(zone)
    first = datetime.combine(fall_day - timedelta(days=7), datetime.min.time()).replace(hour=18)
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        series = _weekly(world, program, first, "FREQ=WEEKLY;BYDAY=SU")
    before, after = Session.objects.filter(series=series).order_by("starts_at")[:2]
    assert (_local(before, tz).hour, _local(after, tz).hour) == (18, 18)
    assert after.starts_at.astimezone(UTC).hour - before.starts_at.astimezone(UTC).hour == 1


def test_a_start_in_the_spring_forward_gap_is_refused_with_nothing_written(world: World) -> None:
    program = _in(world, "America/New_York")
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        _weekly(world, program, datetime(2026, 3, 8, 2, 30), "FREQ=WEEKLY")
    assert "does not exist in America/New_York" in str(refused.value)
    with pytest.raises(ValidationError, match="does not exist"):
        session_create_single(
            program=program,
            kind="individual",
            facilitator=world.casey,
            starts_at=datetime(2026, 3, 8, 2, 30),
            actor=world.casey,
        )
    assert _snapshot() == before


def test_an_ambiguous_fall_back_start_is_refused_with_nothing_written(world: World) -> None:
    program = _in(world, "Europe/London")
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        _weekly(world, program, datetime(2026, 10, 25, 1, 30), "FREQ=DAILY;COUNT=3")
    assert "happens twice in Europe/London" in str(refused.value)
    assert _snapshot() == before


def test_an_occurrence_in_the_gap_moves_forward_by_the_gap(world: World) -> None:
    """A daily 02:30 series: on 8 March 02:30 does not exist in New York, so that occurrence
    is 03:30 EDT (RFC 5545: the offset from before the gap); the next day is 02:30 again."""
    program = _in(world, "America/New_York")
    series = _weekly(world, program, datetime(2026, 3, 7, 2, 30), "FREQ=DAILY;COUNT=3")
    starts = [_local(s, NEW_YORK) for s in Session.objects.filter(series=series)]
    assert [(s.day, s.hour, s.minute) for s in starts] == [(7, 2, 30), (8, 3, 30), (9, 2, 30)]


def test_an_occurrence_in_the_repeated_hour_is_the_first_of_the_two(world: World) -> None:
    program = _in(world, "America/New_York")
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        series = _weekly(world, program, datetime(2026, 10, 31, 1, 30), "FREQ=DAILY;COUNT=2")
    sessions = list(Session.objects.filter(series=series))
    on_change_day = sessions[1].starts_at
    # 01:30 EDT (UTC-4) = 05:30 UTC; the second 01:30 (EST) would be 06:30 UTC.
    assert on_change_day == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


# RRULE refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MINUTELY", "FREQ=MINUTELY repeats within a day"),
        ("FREQ=HOURLY;INTERVAL=1", "FREQ=HOURLY repeats within a day"),
        ("FREQ=SECONDLY;COUNT=5", "repeats within a day"),
        ("FREQ=DAILY;BYHOUR=9,12,15", "at most 2 sessions a day"),
        ("FREQ=WEEKLY;BYDAY=XX", "cannot be read"),
        ("EVERY TUESDAY", "cannot be read"),
        ("FREQ=FORTNIGHTLY", "cannot be read"),
        ("", "Give one RRULE"),
        ("DTSTART:20260301T180000\nRRULE:FREQ=DAILY", "Give one RRULE"),
        ("FREQ=WEEKLY;UNTIL=20200101T000000", "no occurrence"),
    ],
)
def test_a_bad_rrule_is_refused_with_nothing_written(world: World, rule: str, words: str) -> None:
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        _weekly(world, world.program, datetime(2026, 3, 2, 18), rule)
    assert words in " ".join(refused.value.message_dict["rrule"])
    assert _snapshot() == before


def test_an_unbounded_rule_is_written_only_up_to_the_horizon(world: World) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO,WE,TH")
    sessions = Session.objects.filter(series=series)
    assert sessions.count() == 36  # 12 weeks of three a week
    horizon = datetime(2026, 3, 2, 18, tzinfo=ZoneInfo("America/Chicago")) + HORIZON
    assert series.materialized_until == horizon
    assert max(s.starts_at for s in sessions) <= horizon
    assert {_local(s, ZoneInfo("America/Chicago")).hour for s in sessions} == {18}
    assert {s.capacity for s in sessions} == {world.program.max_group_size}
    events = AuditEvent.objects.filter(object_type="session", action="create")
    assert events.count() == 36 and {e.actor for e in events} == {world.dale}
    assert AuditEvent.objects.filter(object_type="session_series", object_id=str(series.pk))


def test_the_horizon_moves_on_with_the_task_and_the_command(world: World) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    assert Session.objects.filter(series=series).count() == 12
    with time_machine.travel(datetime(2026, 3, 30, 12, tzinfo=UTC), tick=False):
        assert series_extend_horizon.enqueue().return_value == 4
        assert series_extend_all() == 0  # already there: nothing twice
    with time_machine.travel(datetime(2026, 4, 13, 12, tzinfo=UTC), tick=False):
        call_command("extend_series", verbosity=0)
    slots = list(Session.objects.filter(series=series).values_list("series_slot", flat=True))
    assert len(slots) == len(set(slots)) == 18


# Closures, moves, cancellations ----------------------------------------------------------


def test_a_closure_cancels_that_day_and_says_why(world: World) -> None:
    closure_add(program=world.program, date=date(2026, 3, 9), reason="Staff day", actor=world.dale)
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    closed = Session.objects.get(series=series, starts_at__date=date(2026, 3, 9))
    assert closed.is_cancelled and closed.status_reason == "Closed: Staff day"
    # A closure added later cancels what exists on that day, and only that.
    closure_add(
        program=world.program, date=date(2026, 3, 16), reason="Spring holiday", actor=world.dale
    )
    cancelled = Session.objects.filter(series=series, status="cancelled")
    assert sorted(s.status_reason for s in cancelled) == [
        "Closed: Spring holiday",
        "Closed: Staff day",
    ]
    assert Session.objects.filter(series=series, status="scheduled").count() == 10
    assert Closure.objects.filter(program=world.program).count() == 2
    with pytest.raises(ValidationError, match="already closed"):
        closure_add(program=world.program, date=date(2026, 3, 9), reason="x", actor=world.dale)


def test_moving_one_occurrence_leaves_the_series(world: World) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    first, second, third = Session.objects.filter(series=series)[:3]
    slot = second.series_slot
    moved = session_move(
        session=second, new_local_start=datetime(2026, 3, 10, 17), actor=world.fran
    )
    assert _local(moved, ZoneInfo("America/Chicago")).hour == 17
    assert moved.series_slot == slot and moved.moved_from == slot
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.starts_at == first.series_slot and third.starts_at == third.series_slot
    # The moved occurrence's slot is not written again when the horizon moves on.
    with time_machine.travel(datetime(2026, 4, 30, tzinfo=UTC), tick=False):
        series_extend_all()
    assert Session.objects.filter(series=series, series_slot=slot).count() == 1
    assert AuditEvent.objects.filter(
        object_type="session", object_id=str(moved.pk), action="update"
    )


def test_a_move_into_the_past_or_of_a_cancelled_session_is_refused(world: World) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    first, second = Session.objects.filter(series=series)[:2]
    with pytest.raises(ValidationError, match="in the future"):
        session_move(session=first, new_local_start=datetime(2026, 2, 1, 18), actor=world.fran)
    session_cancel(session=second, reason="Facilitator unwell", actor=world.dale)
    with pytest.raises(ValidationError, match="cancelled"):
        session_move(session=second, new_local_start=datetime(2026, 3, 10, 18), actor=world.fran)
    with pytest.raises(ValidationError, match="already cancelled"):
        session_cancel(session=second, reason="again", actor=world.dale)
    second.refresh_from_db()
    assert second.status_reason == "Facilitator unwell"
    assert Session.objects.filter(series=series, status="scheduled").count() == 11


def test_a_facilitator_cannot_be_double_booked(world: World) -> None:
    _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    before = _snapshot()
    # A series on Wednesdays whose third week puts a Monday session on top: refused whole.
    with pytest.raises(ValidationError) as refused:
        _weekly(world, world.program, datetime(2026, 3, 4, 19), "FREQ=WEEKLY;BYDAY=WE,MO")
    assert is_double_booking(refused.value)
    assert "Fran Facilitator already runs session" in str(refused.value)
    with pytest.raises(ValidationError) as single:
        session_create_single(
            program=world.program,
            kind="individual",
            facilitator=world.fran,
            starts_at=datetime(2026, 3, 9, 20, 30),
            actor=world.casey,
        )
    assert is_double_booking(single.value)
    assert _snapshot() == before
    # Someone else at the same time is fine; so is Fran right after the group ends.
    session_create_single(
        program=world.program,
        kind="individual",
        facilitator=world.casey,
        starts_at=datetime(2026, 3, 9, 18),
        actor=world.casey,
    )
    after = session_create_single(
        program=world.program,
        kind="individual",
        facilitator=world.fran,
        starts_at=datetime(2026, 3, 9, 21),
        actor=world.fran,
    )
    assert after.ends_at - after.starts_at == timedelta(minutes=50)
    # Moving onto another of Fran's sessions is refused too.
    with pytest.raises(ValidationError) as moved:
        session_move(session=after, new_local_start=datetime(2026, 3, 16, 19), actor=world.fran)
    assert is_double_booking(moved.value)


def test_a_cancelled_session_frees_the_facilitator(world: World) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    session_cancel(session=series.sessions.first(), reason="Holiday", actor=world.dale)  # type: ignore[arg-type]
    session_create_single(
        program=world.program,
        kind="individual",
        facilitator=world.fran,
        starts_at=datetime(2026, 3, 2, 18),
        actor=world.fran,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "yoga"}, "kind"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"facilitator": "birch_clinician"}, "facilitator"),
        ({"facilitator": "alex"}, "facilitator"),
    ],
)
def test_bad_fields_are_refused_by_name(
    world: World, change: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "program": world.program,
        "kind": "group",
        "facilitator": world.fran,
        "first_local_start": datetime(2026, 3, 2, 18),
        "rrule": "FREQ=WEEKLY",
        "actor": world.dale,
    }
    values.update(change)
    if isinstance(values["facilitator"], str):
        persona = getattr(world, values["facilitator"])  # type: ignore[arg-type]
        values["facilitator"] = getattr(persona, "user", persona)
    with pytest.raises(ValidationError) as refused:
        series_create(**values)  # type: ignore[arg-type]
    assert field in refused.value.message_dict


def test_a_director_can_facilitate_and_a_single_defaults_its_length(world: World) -> None:
    program_staff_add(program=world.program, user=world.dale)
    session = session_create_single(
        program=world.program,
        kind="intake",
        facilitator=world.dale,
        starts_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
        actor=world.dale,
    )
    assert session.duration == timedelta(minutes=90) and session.capacity is None


def test_a_clash_met_when_the_horizon_moves_on_is_written_cancelled_saying_why(
    world: World,
) -> None:
    series = _weekly(world, world.program, datetime(2026, 3, 2, 18), "FREQ=WEEKLY;BYDAY=MO")
    # Beyond the horizon (Mondays up to 18 May are written), Fran takes a one-off on 1 June.
    one_off = session_create_single(
        program=world.program,
        kind="individual",
        facilitator=world.fran,
        starts_at=datetime(2026, 6, 1, 19),
        actor=world.fran,
    )
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False):
        series_extend_all()
    held = Session.objects.get(series=series, starts_at__date=date(2026, 6, 1))
    assert held.is_cancelled
    assert held.status_reason == f"Not held: the facilitator has session {one_off.pk} then."
    # Mondays 2 March to 8 June (the new horizon, 12 June): 15, one of them not held.
    assert Session.objects.filter(series=series, status="scheduled").count() == 14


def test_a_utc_until_ends_the_series_at_that_instant(world: World) -> None:
    """RFC 5545 writes UNTIL in UTC; 00:30Z on 17 March is 19:30 on the 16th in Chicago, so
    the 18:00 session on Monday 16 March is the last."""
    series = _weekly(
        world, world.program, datetime(2026, 3, 2, 18), "rrule:FREQ=WEEKLY;UNTIL=20260317T003000Z;"
    )
    assert series.rrule == "FREQ=WEEKLY;UNTIL=20260316T193000"
    assert Session.objects.filter(series=series).count() == 3
