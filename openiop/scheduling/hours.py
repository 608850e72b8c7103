"""Hours compliance: attended hours per client per day and per ISO week, against the hours
the client's level of care requires, and billable days.

Days and weeks are the PROGRAM's (its time zone), not the client's: the program bills and
reports in one calendar. A session counts on the local day it starts (its date of service),
even when it runs past midnight: a claim has one date of service, and splitting one 3-hour
group over two days would make neither of them billable.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef

from openiop.programs.models import Client, Enrollment, Phase, Program
from openiop.scheduling.models import Attendance, Booking, BookingStatus, SessionStatus
from openiop.scheduling.services.attendance import attendance_minutes

COMPLIANCE_PHASES = (Phase.ACTIVE, Phase.STEP_DOWN)
WEEK_FORMAT = "Give the week as YYYY-Www, for example 2026-W09."
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_HOUR = Decimal("0.01")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week: Monday to Sunday."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        """`2026-W09` → IsoWeek(2026, 9); ValueError with a sentence for anything else."""
        match = _WEEK.match(text.strip())
        if match is None:
            raise ValueError(WEEK_FORMAT)
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{text.strip()} is not a week of {year}. {WEEK_FORMAT}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Local midnight on Monday to local midnight on the next Monday, in UTC (167 or 169
        hours apart in a week with a daylight-saving change)."""
        start = datetime.combine(self.monday, time(), zone).astimezone(UTC)
        end = datetime.combine(self.monday + timedelta(days=7), time(), zone).astimezone(UTC)
        return start, end

    def previous(self) -> "IsoWeek":
        return IsoWeek.of(self.monday - timedelta(days=7))

    def next(self) -> "IsoWeek":
        return IsoWeek.of(self.monday + timedelta(days=7))


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(_HOUR, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DayHours:
    day: date
    attended_hours: Decimal
    billable: bool


@dataclass
class WeekHours:
    """One client's week: what they attended, what is still booked, what is required."""

    client_id: int
    week: IsoWeek
    required_hours: Decimal
    billable_day_min_hours: Decimal
    minutes_by_day: dict[date, int] = field(default_factory=dict)
    remaining_minutes: int = 0  # booked sessions of the week with no attendance recorded yet

    @property
    def days(self) -> list[DayHours]:
        return [
            DayHours(day, hours(m), hours(m) >= self.billable_day_min_hours and m > 0)
            for day in self.week.days
            for m in [self.minutes_by_day.get(day, 0)]
        ]

    @property
    def attended_hours(self) -> Decimal:
        return hours(sum(self.minutes_by_day.values()))

    @property
    def billable_days(self) -> int:
        return sum(1 for day in self.days if day.billable)

    @property
    def booked_remaining_hours(self) -> Decimal:
        return hours(self.remaining_minutes)

    @property
    def shortfall_hours(self) -> Decimal:
        return max(self.required_hours - self.attended_hours, Decimal(0))

    @property
    def is_met(self) -> bool:
        return self.attended_hours >= self.required_hours

    @property
    def cannot_meet(self) -> bool:
        """Even attending every remaining booked session would leave the week short."""
        possible = sum(self.minutes_by_day.values()) + self.remaining_minutes
        return self.required_hours > 0 and hours(possible) < self.required_hours


def weeks_for_clients(
    program: Program, clients: Sequence[Client], week: IsoWeek
) -> dict[int, WeekHours]:
    """Each client's `WeekHours` (all of `program`), in three queries whatever their number:
    the open enrollments (required hours), the current attendance records of the week's
    sessions, and the booked sessions of the week that have no attendance yet."""
    zone = ZoneInfo(program.time_zone)
    start, end = week.bounds(zone)
    ids = [c.pk for c in clients]
    required = dict.fromkeys(ids, Decimal(0))
    enrollments = Enrollment.objects.filter(
        client_id__in=ids, phase__in=COMPLIANCE_PHASES
    ).select_related("program")
    for enrollment in enrollments:
        required[enrollment.client_id] = enrollment.required_weekly_hours
    result = {
        pk: WeekHours(
            client_id=pk,
            week=week,
            required_hours=required[pk],
            billable_day_min_hours=program.billable_day_min_hours,
        )
        for pk in ids
    }
    records = Attendance.objects.filter(
        client_id__in=ids,
        is_current=True,
        session__program=program,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).select_related("session")
    for record in records:
        minutes = attendance_minutes(record, record.session)
        if minutes:
            day = record.session.starts_at.astimezone(zone).date()
            by_day = result[record.client_id].minutes_by_day
            by_day[day] = by_day.get(day, 0) + minutes
    recorded = Attendance.objects.filter(
        session=OuterRef("session"), client=OuterRef("client"), is_current=True
    )
    pending = (
        Booking.objects.filter(
            client_id__in=ids,
            status=BookingStatus.BOOKED,
            session__program=program,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(Exists(recorded))
        .values_list("client_id", "session__starts_at", "session__ends_at")
    )
    for client_id, starts_at, ends_at in pending:
        result[client_id].remaining_minutes += int((ends_at - starts_at).total_seconds() // 60)
    return result


def client_week_hours(client: Client, week: IsoWeek) -> WeekHours:
    """One client's week, in the client's program's calendar."""
    return weeks_for_clients(client.program, [client], week)[client.pk]


@dataclass(frozen=True)
class ComplianceRow:
    client: Client
    phase: str
    hours: WeekHours


def compliance_table(program: Program, week: IsoWeek) -> list[ComplianceRow]:
    """The director's weekly table: every active or step-down client of `program`, in four
    queries (their enrollments with the client joined, then `weeks_for_clients`)."""
    enrollments = list(
        Enrollment.objects.filter(program=program, phase__in=COMPLIANCE_PHASES)
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "client_id")
    )
    clients = [e.client for e in enrollments]
    weeks = weeks_for_clients(program, clients, week)
    return [ComplianceRow(e.client, e.phase, weeks[e.client_id]) for e in enrollments]


def flagged(rows: Iterable[ComplianceRow]) -> list[ComplianceRow]:
    return [row for row in rows if row.hours.cannot_meet]


def enrollment_attended_hours(enrollment: Enrollment) -> Decimal:
    """Hours the client attended during `enrollment` (admission to discharge, or now), for
    the discharge summary: the sum programs' `attended_hours_for` is waiting for. Two
    queries: the current attendance records of the client's sessions of the program in that
    span, with their sessions."""
    if enrollment.admitted_at is None:
        return Decimal("0.0")
    records = Attendance.objects.filter(
        client_id=enrollment.client_id,
        is_current=True,
        session__program_id=enrollment.program_id,
        session__starts_at__gte=enrollment.admitted_at,
    ).select_related("session")
    if enrollment.discharged_at is not None:
        records = records.filter(session__starts_at__lt=enrollment.discharged_at)
    minutes = sum(attendance_minutes(r, r.session) for r in records)
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
