"""Hours compliance arithmetic: a worked week, step-down, midnight, daylight saving."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from openiop.conftest import World
from openiop.programs.models import Phase
from openiop.scheduling.hours import (
    WEEK_FORMAT,
    IsoWeek,
    client_week_hours,
    enrollment_attended_hours,
)
from openiop.scheduling.models import Session
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.tests.attendance_support import book, enroll, make_session

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 12, 1, tzinfo=CHICAGO)  # every session below is in the past


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[arg-type,misc]


@pytest.fixture
def maple(world: World) -> World:
    world.program.min_weekly_hours = Decimal(9)
    world.program.billable_day_min_hours = Decimal(3)
    world.program.step_down_weekly_hours = None
    world.program.save()
    enroll(world.alex)
    return world


def _attend(
    world: World,
    starts: datetime,
    minutes: int,
    status: str | None,
    joined: datetime | None = None,
) -> Session:
    session = make_session(world.program, world.fran, starts, minutes=minutes)
    book(session, world.alex)
    if status is not None:
        attendance_record(
            session=session,
            client=world.alex,
            status=status,
            joined_at=joined,
            source="roster",
            actor=world.fran,
            now=NOW,
        )
    return session


def test_a_worked_week(maple: World) -> None:
    """Chicago, 9 h a week, billable day 3 h. Mon 3 h present, Tue late by an hour (2 h),
    Wed absent, Thu 3 h, Sat 1.5 h: 9.5 h attended, two billable days, the week is met.
    Monday's 18:00 group starts on Tuesday in UTC: the program's days count."""
    _attend(maple, local(2026, 2, 2, 18), 180, "present")
    _attend(maple, local(2026, 2, 3, 18), 180, "late", joined=local(2026, 2, 3, 19))
    _attend(maple, local(2026, 2, 4, 18), 180, "absent")
    _attend(maple, local(2026, 2, 5, 18), 180, "present")
    _attend(maple, local(2026, 2, 7, 10), 90, "present")
    week = client_week_hours(maple.alex, IsoWeek.parse("2026-W06"))
    assert week.attended_hours == Decimal("9.5")
    assert week.required_hours == Decimal(9)
    assert [(d.day.day, d.attended_hours, d.billable) for d in week.days] == [
        (2, Decimal(3), True),
        (3, Decimal(2), False),
        (4, Decimal(0), False),
        (5, Decimal(3), True),
        (6, Decimal(0), False),
        (7, Decimal("1.5"), False),
        (8, Decimal(0), False),
    ]
    assert week.billable_days == 2
    assert week.is_met and not week.cannot_meet
    # Nothing leaks into the weeks either side.
    assert client_week_hours(maple.alex, IsoWeek(2026, 5)).attended_hours == 0
    assert client_week_hours(maple.alex, IsoWeek(2026, 7)).attended_hours == 0


def test_step_down_lowers_the_requirement(maple: World) -> None:
    _attend(maple, local(2026, 2, 2, 18), 180, "present")
    _attend(maple, local(2026, 2, 4, 18), 90, "present")
    week = IsoWeek(2026, 6)
    assert not client_week_hours(maple.alex, week).is_met  # 4.5 h of 9
    maple.alex.enrollments.update(phase=Phase.STEP_DOWN)
    stepped = client_week_hours(maple.alex, week)
    assert stepped.required_hours == Decimal("4.5")  # half the minimum by default
    assert stepped.is_met
    maple.program.step_down_weekly_hours = Decimal(6)
    maple.program.save()
    assert client_week_hours(maple.alex, week).required_hours == Decimal(6)


def test_no_open_enrollment_requires_nothing_and_is_never_flagged(world: World) -> None:
    week = client_week_hours(world.alex, IsoWeek(2026, 6))
    assert week.required_hours == 0 and not week.cannot_meet


def test_a_session_crossing_local_midnight_counts_on_the_day_it_starts(maple: World) -> None:
    # Sunday 22:30 to Monday 01:30: Sunday's date of service, and the week it starts in.
    _attend(maple, local(2026, 2, 8, 22, 30), 180, "present")
    week = client_week_hours(maple.alex, IsoWeek(2026, 6))
    assert week.attended_hours == 3
    assert week.days[-1].day == date(2026, 2, 8) and week.days[-1].billable
    assert client_week_hours(maple.alex, IsoWeek(2026, 7)).attended_hours == 0


def test_spring_forward_week_is_167_hours_and_keeps_local_days(maple: World) -> None:
    # Chicago springs forward on Sunday 8 March 2026.
    week = IsoWeek(2026, 10)
    start, end = week.bounds(CHICAGO)
    assert end - start == timedelta(hours=167)
    _attend(maple, local(2026, 3, 8, 18), 180, "present")  # 23:00 UTC, CDT
    # Monday 00:15 CDT is 05:15 UTC: with a fixed winter offset it would look like Sunday.
    _attend(maple, local(2026, 3, 9, 0, 15), 60, "present")
    hours = client_week_hours(maple.alex, week)
    assert hours.attended_hours == 3 and hours.days[-1].attended_hours == 3
    assert client_week_hours(maple.alex, week.next()).days[0].attended_hours == 1


def test_fall_back_week_is_169_hours(maple: World) -> None:
    week = IsoWeek(2026, 44)  # Chicago falls back on Sunday 1 November 2026
    start, end = week.bounds(CHICAGO)
    assert end - start == timedelta(hours=169)
    _attend(maple, local(2026, 11, 1, 23, 30), 30, "present")  # 05:30 UTC on 2 November
    assert client_week_hours(maple.alex, week).days[-1].attended_hours == Decimal("0.5")


def test_cannot_meet_when_the_remaining_booked_sessions_are_too_few(maple: World) -> None:
    _attend(maple, local(2026, 2, 2, 18), 180, "present")
    _attend(maple, local(2026, 2, 3, 18), 180, "no_show")
    _attend(maple, local(2026, 2, 5, 18), 180, None)  # booked, not yet recorded
    week = client_week_hours(maple.alex, IsoWeek(2026, 6))
    assert week.booked_remaining_hours == 3 and week.attended_hours == 3
    assert week.cannot_meet  # 3 attended + 3 still possible < 9
    _attend(maple, local(2026, 2, 6, 18), 180, None)
    assert not client_week_hours(maple.alex, IsoWeek(2026, 6)).cannot_meet  # exactly 9


def test_only_the_current_record_counts_after_a_correction(maple: World) -> None:
    session = _attend(maple, local(2026, 2, 2, 18), 180, "absent")
    attendance_record(
        session=session,
        client=maple.alex,
        status="present",
        source="roster",
        actor=maple.fran,
        reason="was there, camera off",
        now=NOW,
    )
    assert client_week_hours(maple.alex, IsoWeek(2026, 6)).attended_hours == 3


@pytest.mark.parametrize("text", ["2026-06", "2026-W6", "2026W06", "2025-W53", "2026-W00", ""])
def test_a_bad_week_is_refused_with_the_format(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-Www") as refused:
        IsoWeek.parse(text)
    assert WEEK_FORMAT in str(refused.value)


def test_weeks_parse_and_print() -> None:
    assert IsoWeek.parse("2026-W53") == IsoWeek(2026, 53)
    assert str(IsoWeek(2026, 6)) == "2026-W06"
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek(2026, 1).previous() == IsoWeek(2025, 52)


def test_enrollment_hours_for_the_discharge_summary(maple: World) -> None:
    enrollment = maple.alex.enrollments.get()
    enrollment.admitted_at = local(2026, 2, 2)
    enrollment.save()
    _attend(maple, local(2026, 1, 26, 18), 180, "present")  # before admission: not counted
    _attend(maple, local(2026, 2, 2, 18), 180, "present")
    _attend(maple, local(2026, 2, 3, 18), 180, "late", joined=local(2026, 2, 3, 18, 20))
    _attend(maple, local(2026, 2, 4, 18), 180, "no_show")
    assert enrollment_attended_hours(enrollment) == Decimal("5.7")  # 3 h + 2 h 40 min
    enrollment.discharged_at = local(2026, 2, 3)
    assert enrollment_attended_hours(enrollment) == Decimal("3.0")
    enrollment.admitted_at = None
    assert enrollment_attended_hours(enrollment) == 0
