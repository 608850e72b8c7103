"""Seats in sessions: booking, the waitlist, cancelling, series membership, rescheduling an
individual session, weekly availability and make-up offers.

Every write locks the session row it changes (``select_for_update``) so two people taking the
last seat at once cannot both get it, and writes its audit event in the same transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import (
    OPEN_PHASES,
    CareTeamMember,
    Client,
    Enrollment,
    ProgramStaff,
)
from openiop.scheduling import reminders
from openiop.scheduling.models import (
    GROUP_KINDS,
    Availability,
    Booking,
    BookingStatus,
    SeriesEnrollment,
    Session,
    SessionKind,
    SessionSeries,
    SessionStatus,
)
from openiop.scheduling.track_groups import track_series

LIVE = (BookingStatus.BOOKED, BookingStatus.WAITLISTED)


class BookingRefused(Exception):
    """The booking breaks a rule about the session's state; nothing was written (API: 409)."""


class RescheduleRefused(Exception):
    """The move is not allowed (too late, not a free slot); nothing was written."""


@dataclass(frozen=True)
class BookingOutcome:
    """A new booking; `waitlist_position` (1-based) when the session was full."""

    booking: Booking
    waitlist_position: int | None


# Who may book ------------------------------------------------------------------------------


def may_book_for(user: User, client: Client) -> bool:
    """The client themself, the clinicians on their care team, their program's directors."""
    if not user.is_active:
        return False
    if user.role == Role.CLIENT:
        return client.user_id == user.pk
    if user.role == Role.CLINICIAN:
        return CareTeamMember.objects.filter(client=client, user=user).exists()
    if user.role == Role.DIRECTOR:
        return ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists()
    return False


# Seats -------------------------------------------------------------------------------------


def seats_of(session: Session) -> int:
    """Clients the session holds: its capacity, else the program's group size for groups,
    else one (individual, family and intake sessions are for one client)."""
    if session.capacity is not None:
        return session.capacity
    if session.kind in GROUP_KINDS:
        return session.program.max_group_size
    return 1


def waitlist_position(booking: Booking) -> int | None:
    """1-based place on the session's waitlist, earliest first; None when not waitlisted."""
    if booking.status != BookingStatus.WAITLISTED or booking.waitlisted_at is None:
        return None
    ahead = Booking.objects.filter(
        session_id=booking.session_id, status=BookingStatus.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=booking.waitlisted_at)
        | Q(waitlisted_at=booking.waitlisted_at, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def _has_open_enrollment(client: Client, program_id: int) -> bool:
    return Enrollment.objects.filter(
        client=client, program_id=program_id, phase__in=OPEN_PHASES
    ).exists()


def _clashes(client: Client, session: Session) -> bool:
    """The client already holds a seat in another live session overlapping this one."""
    return (
        Booking.objects.filter(
            client=client,
            status=BookingStatus.BOOKED,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .exists()
    )


def _refusal(session: Session, client: Client, now: datetime) -> str:
    """Why the client cannot take a place in `session`, or '' when they can."""
    if session.status == SessionStatus.CANCELLED:
        return "This session has been cancelled."
    if session.starts_at <= now:
        return "This session has already started or is over."
    if not _has_open_enrollment(client, session.program_id):
        return "The client has no open enrollment in this session's program."
    if Booking.objects.filter(session=session, client=client, status__in=LIVE).exists():
        return "The client already has a place in this session."
    if _clashes(client, session):
        return "The client is already booked into another session at that time."
    return ""


def _take_place(
    *, session: Session, client: Client, actor: User | None, is_makeup: bool, now: datetime
) -> BookingOutcome:
    """Seat or waitlist `client` in an already-locked, already-checked session."""
    taken = Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count()
    full = taken >= seats_of(session)
    booking = Booking.objects.create(
        session=session,
        client=client,
        status=BookingStatus.WAITLISTED if full else BookingStatus.BOOKED,
        is_makeup=is_makeup,
        created_at=now,
        waitlisted_at=now if full else None,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="booking",
        object_id=booking.pk,
        client_id=client.pk,
        reason="waitlisted" if full else "",
    )
    reminders.reminders_for_booking(booking)
    return BookingOutcome(booking, waitlist_position(booking) if full else None)


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("program").get(pk=session.pk)


@transaction.atomic
def booking_create(
    *, session: Session, client: Client, actor: User | None, is_makeup: bool = False
) -> BookingOutcome:
    """Give `client` a seat in `session`, or a place on its waitlist when it is full.

    Raises BookingRefused (nothing written) for a cancelled or started session, a client
    without an open enrollment in the program, a second place in the same session, or a
    clash with another session the client is booked into.
    """
    session = _locked(session)
    now = timezone.now()
    reason = _refusal(session, client, now)
    if reason:
        raise BookingRefused(reason)
    return _take_place(session=session, client=client, actor=actor, is_makeup=is_makeup, now=now)


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User | None) -> Booking | None:
    """Cancel a place; a freed seat goes to the first on the waitlist who has no clash.

    Returns the promoted booking, if any.
    """
    session = _locked(booking.session)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return None
    freed = booking.status == BookingStatus.BOOKED
    now = timezone.now()
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="booking",
        object_id=booking.pk,
        client_id=booking.client_id,
        reason="cancelled",
    )
    reminders.reminders_withdraw(session_id=booking.session_id, client_id=booking.client_id)
    if not freed or session.is_cancelled:
        return None
    return _promote(session, actor, now)


def _promote(session: Session, actor: User | None, now: datetime) -> Booking | None:
    taken = Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count()
    if taken >= seats_of(session):
        return None
    waiting = (
        Booking.objects.select_for_update()
        .filter(session=session, status=BookingStatus.WAITLISTED)
        .select_related("client")
        .order_by("waitlisted_at", "pk")
    )
    for candidate in waiting:
        if _clashes(candidate.client, session):
            continue  # booked elsewhere since joining the list: keep their place, skip them
        candidate.status = BookingStatus.BOOKED
        candidate.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="booking",
            object_id=candidate.pk,
            client_id=candidate.client_id,
            reason="promoted from the waitlist",
        )
        reminders.reminders_for_booking(candidate)
        return candidate
    return None


@transaction.atomic
def series_join(
    *, series: SessionSeries, client: Client, actor: User | None
) -> list[BookingOutcome]:
    """Book `client` into every future scheduled occurrence of a series (waitlisted where
    full); occurrences the client already holds or that clash are left out."""
    if not _has_open_enrollment(client, series.program_id):
        raise BookingRefused("The client has no open enrollment in this series' program.")
    now = timezone.now()
    membership = SeriesEnrollment.objects.filter(
        series=series, client=client, left_at__isnull=True
    ).first()
    if membership is None:
        membership = SeriesEnrollment.objects.create(series=series, client=client, joined_at=now)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="series_enrollment",
            object_id=membership.pk,
            client_id=client.pk,
        )
    sessions = (
        Session.objects.select_for_update()
        .select_related("program")
        .filter(series=series, status=SessionStatus.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
    )
    outcomes = []
    for session in sessions:
        if _refusal(session, client, now):
            continue
        outcomes.append(
            _take_place(session=session, client=client, actor=actor, is_makeup=False, now=now)
        )
    return outcomes


# Rescheduling an individual session --------------------------------------------------------


def reschedule_refusal(booking: Booking, now: datetime) -> str:
    """Why the client cannot move this booking themself, or '' when they can."""
    session = booking.session
    program = session.program
    if session.kind != SessionKind.INDIVIDUAL or booking.status != BookingStatus.BOOKED:
        return "Only a booked individual session can be moved here."
    if session.is_cancelled:
        return "This session has been cancelled."
    notice = timedelta(hours=program.reschedule_notice_hours)
    if session.starts_at - now <= notice:
        phone = program.on_call_phone or program.dial_in_phone
        call = f"call your care team at {phone}" if phone else "please call your care team"
        return (
            f"Sessions can be moved up to {program.reschedule_notice_hours} hours before "
            f"they start; {call}."
        )
    return ""


def free_individual_slots(session: Session, now: datetime) -> QuerySet[Session]:
    """Open individual sessions of the same clinician in the same program, still ahead."""
    live = Q(bookings__status__in=LIVE)
    return (
        Session.objects.filter(
            program_id=session.program_id,
            facilitator_id=session.facilitator_id,
            kind=SessionKind.INDIVIDUAL,
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now,
        )
        .exclude(pk=session.pk)
        .annotate(live=Count("bookings", filter=live))
        .filter(live=0)
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def booking_reschedule(*, booking: Booking, to_session: Session, actor: User | None) -> Booking:
    """Move an individual session to a free slot of the same clinician, if early enough."""
    now = timezone.now()
    _locked(booking.session)
    target = _locked(to_session)
    booking = (
        Booking.objects.select_for_update()
        .select_related("session__program", "client")
        .get(pk=booking.pk)
    )
    reason = reschedule_refusal(booking, now)
    if reason:
        raise RescheduleRefused(reason)
    if not free_individual_slots(booking.session, now).filter(pk=target.pk).exists():
        raise RescheduleRefused("That time is no longer free; please pick another.")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="booking",
        object_id=booking.pk,
        client_id=booking.client_id,
        reason=f"rescheduled to session {target.pk}",
    )
    moved = Booking.objects.create(
        session=target, client=booking.client, status=BookingStatus.BOOKED, created_at=now
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="booking",
        object_id=moved.pk,
        client_id=booking.client_id,
        reason=f"rescheduled from session {booking.session_id}",
    )
    reminders.reminders_withdraw(session_id=booking.session_id, client_id=booking.client_id)
    reminders.reminders_for_booking(moved)
    return moved


# Availability and make-up offers -----------------------------------------------------------


@transaction.atomic
def availability_add(
    *, client: Client, weekday: int, start_time: time, end_time: time, actor: User | None
) -> Availability:
    """A weekly window, in the client's own zone."""
    if end_time <= start_time:
        raise ValueError("The window must end after it starts.")
    window = Availability.objects.create(
        client=client, weekday=weekday, start_time=start_time, end_time=end_time
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="availability",
        object_id=window.pk,
        client_id=client.pk,
    )
    return window


@transaction.atomic
def availability_remove(*, window: Availability, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action=Action.DELETE,
        object_type="availability",
        object_id=window.pk,
        client_id=window.client_id,
    )
    window.delete()


def fits(session: Session, windows: Sequence[Availability], zone: ZoneInfo) -> bool:
    """The session lies inside one of the weekly windows, read in the client's zone."""
    start = session.starts_at.astimezone(zone)
    end = session.ends_at.astimezone(zone)
    if end.date() != start.date() and end.time() != time(0):
        return False  # runs past local midnight: no single-day window holds it
    end_time = time.max if end.date() != start.date() else end.time()
    return any(
        w.weekday == start.weekday() and w.start_time <= start.time() and end_time <= w.end_time
        for w in windows
    )


def week_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 around `moment`, in `zone`, as aware datetimes."""
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start, end


def open_sessions() -> QuerySet[Session]:
    """Scheduled sessions with `booked` (seats taken) annotated, for "not full" filters."""
    return Session.objects.filter(status=SessionStatus.SCHEDULED).annotate(
        booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED))
    )


def has_free_seat(session: Session) -> bool:
    return session.booked < seats_of(session)  # type: ignore[attr-defined]


def makeup_candidates(
    missed: Iterable[Session], now: datetime
) -> QuerySet[Session]:  # one query for any number of missed sessions
    missed = list(missed)
    if not missed:
        return Session.objects.none()
    rule = Q()
    for session in missed:
        zone = ZoneInfo(session.program.time_zone)
        start, end = week_bounds(session.starts_at, zone)
        rule |= Q(
            program_id=session.program_id,
            kind=session.kind,
            starts_at__gte=max(start, now),
            starts_at__lt=end,
        )
    return (
        open_sessions()
        .filter(rule, track__isnull=False)
        .select_related("program", "track")
        .order_by("starts_at", "pk")
    )


def makeup_offers(
    client: Client,
    missed_session: Session,
    *,
    now: datetime | None = None,
    windows: Sequence[Availability] | None = None,
    candidates: Sequence[Session] | None = None,
    held: frozenset[int] | None = None,
) -> list[Session]:
    """Seats to make up a missed (or cancelled) group: another track's session of the same
    kind in the same program week (Monday–Sunday in the program's zone), not full, ahead,
    that the client does not already hold and that fits their availability.

    The keyword arguments let a page compute offers for many missed sessions from one set of
    queries (see `my_week`); alone, it runs its own.
    """
    now = now or timezone.now()
    if windows is None:
        windows = list(client.availability.all())
    if candidates is None:
        candidates = list(makeup_candidates([missed_session], now))
    if held is None:
        held = frozenset(
            Booking.objects.filter(client=client, status__in=LIVE).values_list(
                "session_id", flat=True
            )
        )
    zone = ZoneInfo(client.time_zone)
    program_zone = ZoneInfo(missed_session.program.time_zone)
    start, end = week_bounds(missed_session.starts_at, program_zone)
    return [
        s
        for s in candidates
        if s.program_id == missed_session.program_id
        and s.kind == missed_session.kind
        and s.track_id != missed_session.track_id
        and start <= s.starts_at < end
        and s.starts_at > now
        and s.pk not in held
        and has_free_seat(s)
        and fits(s, windows, zone)
    ]


@transaction.atomic
def track_groups_join(*, client: Client, actor: User | None) -> tuple[int, int]:
    """Book the client into every running series of their track, all or nothing.

    Returns (sessions booked, sessions waitlisted)."""
    outcomes = [
        outcome
        for series in track_series(client)
        for outcome in series_join(series=series, client=client, actor=actor)
    ]
    waitlisted = sum(1 for o in outcomes if o.waitlist_position is not None)
    return len(outcomes) - waitlisted, waitlisted
