"""Reads for the client's own scheduling pages: "My week", the booking list, make-up offers.

Each read runs a fixed number of queries whatever the number of sessions (see `my_week`).
Times are shown in the client's zone; the week of a make-up offer is the program's week.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from openiop.accounts.models import Role, User
from openiop.programs.models import Client, ScheduleLabel
from openiop.programs.selectors import clients_visible_to
from openiop.scheduling.models import (
    GROUP_KINDS,
    Attendance,
    AttendanceStatus,
    Availability,
    Booking,
    BookingStatus,
    Session,
)
from openiop.scheduling.services.bookings import (
    LIVE,
    fits,
    makeup_candidates,
    makeup_offers,
    open_sessions,
    seats_of,
    week_bounds,
)

DAYS_SHOWN = 7
BOOKING_HORIZON = timedelta(days=14)
MISSED = (AttendanceStatus.ABSENT, AttendanceStatus.NO_SHOW)
# The four time-of-day groups a client can ask to see first, in their default order.
PREFERENCES = [
    (ScheduleLabel.MORNING, "Mornings"),
    (ScheduleLabel.AFTERNOON, "Afternoons"),
    (ScheduleLabel.EVENING, "Evenings"),
    (ScheduleLabel.WEEKEND, "Weekends"),
]


def own_client(user: User) -> Client:
    """The signed-in client's own record; Http404 for anyone else (staff included)."""
    if user.role != Role.CLIENT:
        raise Http404
    client = clients_visible_to(user).select_related("program").first()
    if client is None:
        raise Http404
    return client


def time_range(session: Session, zone: ZoneInfo) -> str:
    """'6:00 – 7:30 pm' style, in `zone`."""

    def clock(moment: datetime) -> str:
        local = moment.astimezone(zone)
        hour = local.hour % 12 or 12
        return f"{hour}:{local.minute:02d}"

    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    start_half, end_half = _half(start), _half(end)
    if start_half == end_half:
        return f"{clock(start)} – {clock(end)} {end_half}"
    return f"{clock(start)} {start_half} – {clock(end)} {end_half}"


def _half(moment: datetime) -> str:
    return "am" if moment.hour < 12 else "pm"


def day_heading(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def time_of_day(session: Session, zone: ZoneInfo) -> str:
    """The session's track label, else morning/afternoon/evening/weekend by local time."""
    if session.track is not None:
        return session.track.schedule_label
    local = session.starts_at.astimezone(zone)
    if local.weekday() >= 5:
        return ScheduleLabel.WEEKEND
    if local.hour < 12:
        return ScheduleLabel.MORNING
    return ScheduleLabel.AFTERNOON if local.hour < 17 else ScheduleLabel.EVENING


@dataclass
class Entry:
    """One of the client's sessions on "My week"."""

    booking: Booking
    session: Session
    times: str
    joinable: bool
    waitlist_position: int | None
    can_move: bool
    can_cancel: bool


@dataclass
class Day:
    heading: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Offer:
    """Make-up seats for one missed or cancelled group."""

    missed: Session
    missed_when: str
    sessions: list[tuple[Session, str]]  # (session, its day and time in the client's zone)


@dataclass
class MyWeek:
    client: Client
    days: list[Day]
    offers: list[Offer]
    has_availability: bool


def _with_positions() -> Subquery:
    ahead = (
        Booking.objects.filter(session=OuterRef("session_id"), status=BookingStatus.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead, output_field=IntegerField())


def missed_groups(client: Client, now: datetime) -> list[Session]:
    """Groups of this program week the client held a place in and missed: cancelled by the
    program, or recorded absent / no-show (one query)."""
    zone = ZoneInfo(client.program.time_zone)
    start, end = week_bounds(now, zone)
    absent = Attendance.objects.filter(
        session=OuterRef("session_id"),
        client=OuterRef("client_id"),
        is_current=True,
        status__in=MISSED,
    )
    bookings = (
        Booking.objects.filter(
            client=client,
            status__in=LIVE,
            session__kind__in=GROUP_KINDS,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .filter(Q(session__status="cancelled") | Q(Exists(absent)))
        .select_related("session__program", "session__track")
        .order_by("session__starts_at")
    )
    return [b.session for b in bookings]


def offers_for(client: Client, now: datetime, windows: list[Availability]) -> list[Offer]:
    """Make-up offers for every missed group this week, in three queries."""
    zone = ZoneInfo(client.time_zone)
    missed = missed_groups(client, now)
    if not missed:
        return []
    candidates = list(makeup_candidates(missed, now))
    held = frozenset(
        Booking.objects.filter(client=client, status__in=LIVE).values_list("session_id", flat=True)
    )
    offers = []
    for session in missed:
        sessions = makeup_offers(
            client, session, now=now, windows=windows, candidates=candidates, held=held
        )
        offers.append(
            Offer(
                missed=session,
                missed_when=when_text(session, zone),
                sessions=[(s, when_text(s, zone)) for s in sessions],
            )
        )
    return offers


def when_text(session: Session, zone: ZoneInfo) -> str:
    local_day = session.starts_at.astimezone(zone).date()
    return f"{day_heading(local_day)}, {time_range(session, zone)}"


def my_week(client: Client, now: datetime) -> MyWeek:
    """The client's next seven days (from the start of today in their zone) in their zone.

    Queries: the bookings with their sessions and waitlist places (1), the availability
    windows (1), and for make-up offers the missed groups (1) and, only when there are any,
    the candidate sessions and the sessions the client holds (2).
    """
    zone = ZoneInfo(client.time_zone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = start + timedelta(days=DAYS_SHOWN)
    bookings = (
        Booking.objects.filter(
            client=client,
            status__in=LIVE,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .select_related("session__program", "session__track", "session__in_person_location")
        .annotate(ahead=Coalesce(_with_positions(), Value(0)))
        .order_by("session__starts_at", "pk")
    )
    days = {
        today + timedelta(days=n): Day(day_heading(today + timedelta(days=n))) for n in range(7)
    }
    notice = timedelta(hours=client.program.reschedule_notice_hours)
    for booking in bookings:
        session = booking.session
        waiting = booking.status == BookingStatus.WAITLISTED
        days[session.starts_at.astimezone(zone).date()].entries.append(
            Entry(
                booking=booking,
                session=session,
                times=time_range(session, zone),
                # In person at a partner location: the page shows its address instead.
                joinable=not waiting
                and session.in_person_location_id is None
                and session.is_joinable(now),
                waitlist_position=booking.ahead + 1 if waiting else None,  # type: ignore[attr-defined]
                can_move=(
                    not waiting
                    and not session.is_cancelled
                    and session.kind == "individual"
                    and session.starts_at - now > notice
                ),
                can_cancel=not session.is_cancelled and session.starts_at > now,
            )
        )
    windows = list(client.availability.all())
    return MyWeek(
        client=client,
        days=list(days.values()),
        offers=offers_for(client, now, windows),
        has_availability=bool(windows),
    )


@dataclass
class Bookable:
    session: Session
    when: str
    label: str
    free_seats: int


def bookable_sessions(client: Client, now: datetime, prefer: str) -> tuple[list[Bookable], bool]:
    """Group sessions of the client's program in the next two weeks that fit the client's
    availability (all of them when none is recorded) and that they do not already hold;
    the preferred time of day first, then by start. Three queries.

    Returns the list and whether it was filtered by availability."""
    zone = ZoneInfo(client.time_zone)
    windows = list(client.availability.all())
    held = set(
        Booking.objects.filter(client=client, status__in=LIVE).values_list("session_id", flat=True)
    )
    sessions = (
        open_sessions()
        .filter(
            program_id=client.program_id,
            kind__in=GROUP_KINDS,
            starts_at__gt=now,
            starts_at__lt=now + BOOKING_HORIZON,
        )
        .select_related("program", "track")
        .order_by("starts_at", "pk")
    )
    rows = [
        Bookable(
            session=s,
            when=when_text(s, zone),
            label=time_of_day(s, zone),
            free_seats=max(seats_of(s) - s.booked, 0),  # type: ignore[attr-defined]
        )
        for s in sessions
        if s.pk not in held and (not windows or fits(s, windows, zone))
    ]
    rows.sort(key=lambda row: row.label != prefer)  # stable: keeps start order within
    return rows, bool(windows)


def group_by_label(rows: list[Bookable]) -> list[tuple[str, list[Bookable]]]:
    labels: dict[str, str] = dict(PREFERENCES)
    grouped: dict[str, list[Bookable]] = defaultdict(list)
    for row in rows:
        grouped[row.label].append(row)
    return [(labels[label], items) for label, items in grouped.items()]


def is_offer(client: Client, session: Session, now: datetime) -> bool:
    """The session is among the client's current make-up offers."""
    windows = list(client.availability.all())
    return any(
        s.pk == session.pk for offer in offers_for(client, now, windows) for s, _ in offer.sessions
    )
