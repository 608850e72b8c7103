"""Recurring series, their occurrences, one-off sessions, moves, cancellations and closures.

A series is anchored at a naive wall-clock start in the program's zone and an RFC 5545 RRULE.
Occurrences are expanded in naive local time with dateutil and only then placed in the zone,
so "Mon/Wed/Thu 18:00 America/Chicago" stays 18:00 in Chicago across daylight-saving changes
while its UTC start moves by an hour.

An occurrence whose wall time does not exist or happens twice on a change day follows
RFC 5545 (3.3.5), as calendar apps reading our feeds do:
- in a spring-forward gap it keeps the offset from before the gap, so it moves forward by the
  gap's length (02:30 on the day New York skips 02:00–03:00 becomes 03:30 EDT);
- in a fall-back repeat it is the first of the two (01:30 EDT, not 01:30 EST).
The series' own first start is stricter: a wall time in a gap or a repeat is refused, because
the person creating it must say which time they mean.

Occurrences exist as rows up to a horizon (`HORIZON` ahead of now, or of the first start);
`series_extend_horizon` (a task, and the `extend_series` command) moves the horizon on, so an
unbounded RRULE never means unbounded rows.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record, audit_record_many
from openiop.programs.models import Program, ProgramStaff, Track
from openiop.resources.models import PartnerLocation
from openiop.scheduling import reminders
from openiop.scheduling.models import (
    DEFAULT_MINUTES,
    GROUP_KINDS,
    Closure,
    Session,
    SessionKind,
    SessionSeries,
    SessionStatus,
)

HORIZON = timedelta(weeks=12)
MAX_PER_DAY = 2  # a program meets at most twice a day; more is a typing mistake
ALLOWED_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MIN_MINUTES, MAX_MINUTES = 10, 8 * 60
MAX_CAPACITY = 50
# How far ahead the per-day check looks; enough to see every pattern a clinic uses.
_CHECK_DAYS = 400
_CHECK_OCCURRENCES = 2000
# Staff who may run a session.
FACILITATOR_ROLES = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)

DOUBLE_BOOKED = "double_booked"  # ValidationError code (the API answers 409)


# Wall-clock time in a zone -----------------------------------------------------------------


def wall_time_problem(local: datetime, zone: ZoneInfo) -> str:
    """Why the naive wall time `local` cannot anchor anything in `zone`, or ''.

    Nonexistent: converting to UTC and back does not give the same reading (a spring-forward
    gap). Ambiguous: it exists twice, so the two folds have different offsets (fall-back).
    """
    first = local.replace(tzinfo=zone, fold=0)
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    when = f"{local:%Y-%m-%d %H:%M}"
    if back != local:
        return (
            f"{when} does not exist in {zone.key}: the clocks go forward then. "
            f"Choose a time outside the skipped hour."
        )
    if first.utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset():
        return (
            f"{when} happens twice in {zone.key}: the clocks go back then. "
            f"Choose a time outside the repeated hour."
        )
    return ""


def check_wall_time(local: datetime, zone: ZoneInfo, *, field: str = "starts_at") -> None:
    problem = wall_time_problem(local, zone)
    if problem:
        raise ValidationError({field: [problem]})


def place(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time `local` in `zone`, resolved as RFC 5545 says (module doc):
    fold=0 is exactly that rule in zoneinfo, for gaps and for repeats."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def wall_time_of(starts_at: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall time in `zone` of an aware instant sent with an offset (the API).

    A caller who writes a time in the program's zone that falls in its spring-forward gap
    (e.g. 02:30-06:00 on the day Chicago skips 02:00–03:00) meant a time that does not exist;
    that is refused instead of quietly becoming 03:30. The same face value with an unrelated
    offset (02:30Z) is a real instant and is kept.
    """
    face = starts_at.replace(tzinfo=None)
    offsets = {face.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1)}
    if starts_at.utcoffset() in offsets:
        problem = wall_time_problem(face, zone)
        if problem.startswith(f"{face:%Y-%m-%d %H:%M} does not exist"):
            raise ValidationError({"starts_at": [problem]})
    return starts_at.astimezone(zone).replace(tzinfo=None)


# RRULE -------------------------------------------------------------------------------------


def rrule_body(text: str, zone: ZoneInfo | None = None) -> str:
    """`text` as stored: one RRULE without its `RRULE:` prefix, a UTC `UNTIL=...Z` turned
    into the wall time of `zone` (the rule is expanded in naive local time). ValidationError
    for anything that is not one RRULE."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or "\n" in body or ":" in body:
        raise _rrule_error("Give one RRULE such as FREQ=WEEKLY;BYDAY=MO,WE,TH.")
    parts: dict[str, str] = {}
    for part in filter(str.strip, body.split(";")):
        name, _, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    if "DTSTART" in parts:
        raise _rrule_error("Leave DTSTART out: the first start is given separately.")
    until = parts.get("UNTIL", "")
    if until.endswith("Z"):
        try:
            instant = datetime.strptime(until[:-1] + "+0000", "%Y%m%dT%H%M%S%z")
        except ValueError:
            raise _rrule_error(f"UNTIL={until} is not a time such as 20261231T235959Z.") from None
        parts["UNTIL"] = f"{instant.astimezone(zone or UTC):%Y%m%dT%H%M%S}"
    return ";".join(f"{name}={value}" for name, value in parts.items())


def parse_rrule(text: str, first_local_start: datetime, zone: ZoneInfo | None = None) -> RRule:
    """The rule for `text` anchored at `first_local_start`, or ValidationError saying why not.

    Accepted: one RRULE (with or without the `RRULE:` prefix), FREQ DAILY or coarser, at most
    `MAX_PER_DAY` occurrences on any day, and at least one occurrence. Unbounded rules are
    fine: occurrences are only written up to the horizon.
    """
    body = rrule_body(text, zone)
    parts = dict(part.partition("=")[::2] for part in body.split(";"))
    freq = parts.get("FREQ", "")
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise _rrule_error(f"FREQ={freq} repeats within a day; use DAILY or coarser.")
    try:
        rule = rrulestr(body, dtstart=first_local_start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise _rrule_error(f"This RRULE cannot be read ({error}).") from None
    if not isinstance(rule, RRule) or freq not in ALLOWED_FREQS:
        raise _rrule_error("Give FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    per_day: Counter[date] = Counter()
    end = first_local_start + timedelta(days=_CHECK_DAYS)
    seen = 0
    for occurrence in rule:
        if occurrence > end or seen >= _CHECK_OCCURRENCES:
            break
        seen += 1
        per_day[occurrence.date()] += 1
        if per_day[occurrence.date()] > MAX_PER_DAY:
            raise _rrule_error(
                f"This RRULE meets {per_day[occurrence.date()]} or more times on "
                f"{occurrence:%Y-%m-%d}; at most {MAX_PER_DAY} sessions a day."
            )
    if seen == 0:
        raise _rrule_error("This RRULE has no occurrence on or after the first start.")
    return rule


def _rrule_error(message: str) -> ValidationError:
    return ValidationError({"rrule": [message]})


def expand(
    rule: RRule, zone: ZoneInfo, *, after: datetime | None, until: datetime
) -> list[datetime]:
    """UTC starts of the rule's occurrences from `after` (UTC, inclusive; None: from the
    first) to `until` (UTC, exclusive). Expanded in naive local time, then placed."""
    # Local bounds a day wider than needed (offsets never exceed a day), then exact in UTC.
    local_until = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    local_after = (
        after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        if after is not None
        else None
    )
    starts = []
    for local in rule.xafter(local_after, inc=True) if local_after else rule:
        if local > local_until:
            break
        start = place(local, zone)
        if start >= until or (after is not None and start < after):
            continue
        starts.append(start)
    return starts


# Checks shared by series and single sessions ------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a series or a single session will be, checked."""

    program: Program
    kind: str
    facilitator: User
    track: Track | None
    duration: timedelta
    capacity: int | None


def _plan(
    *,
    program: Program,
    kind: str,
    facilitator: User,
    duration_minutes: int | None,
    track: Track | None,
    capacity: int | None,
) -> Plan:
    errors: dict[str, list[str]] = {}
    if kind not in SessionKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(SessionKind.values)}."]
    minutes = duration_minutes or (60 if errors else DEFAULT_MINUTES[SessionKind(kind)])
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["duration_minutes"] = [
            f"A session lasts between {MIN_MINUTES} and {MAX_MINUTES} minutes."
        ]
    if track is not None and (track.program_id != program.pk or not track.is_active):
        errors["track"] = ["Choose an active track of this program."]
    is_staff = ProgramStaff.objects.filter(program=program, user=facilitator).exists()
    if not (facilitator.is_active and facilitator.role in FACILITATOR_ROLES and is_staff):
        errors["facilitator"] = [
            "The facilitator must be an active clinician, facilitator or director of this program."
        ]
    if "kind" not in errors and kind in GROUP_KINDS:
        capacity = capacity if capacity is not None else program.max_group_size
        if not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = [f"A group has between 1 and {MAX_CAPACITY} seats."]
    elif capacity not in (None, 1):
        errors["capacity"] = ["Only group and skills sessions have more than one seat."]
    else:
        capacity = None
    if errors:
        raise ValidationError(errors)
    return Plan(
        program=program,
        kind=kind,
        facilitator=facilitator,
        track=track,
        duration=timedelta(minutes=minutes),
        capacity=capacity,
    )


def _lock_facilitator(facilitator: User) -> None:
    """Hold the facilitator's row until the transaction ends, so two writers cannot both see
    the same free slot (PostgreSQL; SQLite's IMMEDIATE transactions already serialise)."""
    User.objects.select_for_update().filter(pk=facilitator.pk).first()


def _clashes(
    facilitator: User,
    slots: Sequence[tuple[datetime, datetime]],
    *,
    exclude: int | None = None,
) -> dict[int, Session]:
    """For each slot (by index) the facilitator's scheduled session overlapping it, if any.

    One query for the whole span; the overlap test runs here."""
    if not slots:
        return {}
    lo = min(start for start, _ in slots)
    hi = max(end for _, end in slots)
    booked = Session.objects.filter(
        facilitator=facilitator, status=SessionStatus.SCHEDULED, starts_at__lt=hi, ends_at__gt=lo
    )
    if exclude is not None:
        booked = booked.exclude(pk=exclude)
    candidates = list(booked.select_related("program").order_by("starts_at"))
    found = {}
    for i, (start, end) in enumerate(slots):
        for other in candidates:
            if other.starts_at < end and other.ends_at > start:
                found[i] = other
                break
    return found


def _clash_error(facilitator: User, other: Session) -> ValidationError:
    zone = ZoneInfo(other.program.time_zone)
    local = timezone.localtime(other.starts_at, zone)
    ends = timezone.localtime(other.ends_at, zone)
    message = (
        f"{facilitator} already runs session {other.pk} ({other.get_kind_display().lower()}) "
        f"on {local:%a %Y-%m-%d %H:%M}–{ends:%H:%M} {zone.key}."
    )
    return ValidationError({"facilitator": ValidationError(message, code=DOUBLE_BOOKED)})


def is_double_booking(error: ValidationError) -> bool:
    """True when `error` refuses a write because the facilitator is already booked."""
    if hasattr(error, "error_dict"):
        return any(e.code == DOUBLE_BOOKED for es in error.error_dict.values() for e in es)
    return any(e.code == DOUBLE_BOOKED for e in error.error_list)


def _closures(program: Program, starts: Iterable[datetime]) -> dict[date, str]:
    zone = ZoneInfo(program.time_zone)
    days = {timezone.localtime(start, zone).date() for start in starts}
    if not days:
        return {}
    return dict(
        Closure.objects.filter(program=program, date__in=days).values_list("date", "reason")
    )


def closed_reason(reason: str) -> str:
    return f"Closed: {reason}"[:200]


# Series ------------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    program: Program,
    kind: str,
    facilitator: User,
    first_local_start: datetime,
    duration_minutes: int | None = None,
    rrule: str,
    track: Track | None = None,
    capacity: int | None = None,
    in_person_location: PartnerLocation | None = None,
    actor: User | None,
) -> SessionSeries:
    """A recurring session and its occurrences up to the horizon, or ValidationError with
    nothing written: a bad or too-frequent RRULE, a first start that does not exist or is
    ambiguous in the program's zone, or an occurrence that double-books the facilitator
    (code `DOUBLE_BOOKED`). Occurrences on a closure day are written cancelled, saying so.
    With `in_person_location` (hybrid care) every occurrence, now and as the horizon moves
    on, is held there."""
    if first_local_start.tzinfo is not None:
        raise ValueError("first_local_start is a naive wall-clock time in the program's zone")
    zone = ZoneInfo(program.time_zone)
    first_local_start = first_local_start.replace(second=0, microsecond=0)
    plan = _plan(
        program=program,
        kind=kind,
        facilitator=facilitator,
        duration_minutes=duration_minutes,
        track=track,
        capacity=capacity,
    )
    check_wall_time(first_local_start, zone)
    rule = parse_rrule(rrule, first_local_start, zone)
    _lock_facilitator(facilitator)
    series = SessionSeries.objects.create(
        program=program,
        track=plan.track,
        kind=plan.kind,
        facilitator=facilitator,
        rrule=rrule_body(rrule, zone),
        # The column is a DateTimeField (USE_TZ): the wall time is stored labelled UTC and
        # read back with the label dropped (`series_rule`); it is not an instant.
        first_local_start=first_local_start.replace(tzinfo=UTC),
        time_zone=zone.key,
        duration_minutes=int(plan.duration.total_seconds() // 60),
        capacity=plan.capacity,
        in_person_location=in_person_location,
        created_by=actor,
    )
    audit_record(
        actor=actor, action=Action.CREATE, object_type="session_series", object_id=series.pk
    )
    # The first horizon in wall-clock weeks: 12 weeks of a weekly series are 12 rows even
    # when a daylight-saving change falls in between.
    now_local = timezone.now().astimezone(zone).replace(tzinfo=None)
    until = place(max(now_local, first_local_start) + HORIZON, zone)
    _materialize(series, rule=rule, until=until, actor=actor, refuse_clashes=True)
    return series


def _materialize(
    series: SessionSeries,
    *,
    rule: RRule,
    until: datetime,
    actor: User | None,
    refuse_clashes: bool,
) -> list[Session]:
    """Write the series' occurrences after its horizon up to `until`.

    On creation a clash refuses the series (`refuse_clashes`). When the horizon moves on
    later there is nobody to ask, so a clashing occurrence is written cancelled with the
    reason, for the director to see and resolve."""
    zone = ZoneInfo(series.time_zone)
    starts = expand(rule, zone, after=series.materialized_until, until=until)
    if starts:
        taken = set(
            Session.objects.filter(series=series, series_slot__in=starts).values_list(
                "series_slot", flat=True
            )
        )
        starts = [s for s in starts if s not in taken]
    duration = timedelta(minutes=series.duration_minutes)
    closed = _closures(series.program, starts)
    slots = [(start, start + duration) for start in starts]
    clashes = _clashes(series.facilitator, slots)
    sessions = []
    for i, (start, end) in enumerate(slots):
        reason = closed.get(timezone.localtime(start, ZoneInfo(series.program.time_zone)).date())
        status, status_reason = SessionStatus.SCHEDULED, ""
        if reason is not None:
            status, status_reason = SessionStatus.CANCELLED, closed_reason(reason)
        elif i in clashes:
            if refuse_clashes:
                raise _clash_error(series.facilitator, clashes[i])
            status = SessionStatus.CANCELLED
            status_reason = f"Not held: the facilitator has session {clashes[i].pk} then."
        sessions.append(
            Session(
                series=series,
                series_slot=start,
                program_id=series.program_id,
                track_id=series.track_id,
                kind=series.kind,
                facilitator_id=series.facilitator_id,
                starts_at=start,
                ends_at=end,
                capacity=series.capacity,
                status=status,
                status_reason=status_reason,
                in_person_location_id=series.in_person_location_id,
            )
        )
    created = Session.objects.bulk_create(sessions, batch_size=500)
    if created and created[0].pk is None:  # backends without RETURNING on bulk inserts
        created = list(Session.objects.filter(series=series, series_slot__in=starts))
    series.materialized_until = until
    series.save(update_fields=["materialized_until"])
    audit_record_many(
        actor=actor,
        action=Action.CREATE,
        object_type="session",
        entries=[(None, session.pk) for session in created],
    )
    return created


def series_rule(series: SessionSeries) -> RRule:
    return parse_rrule(series.rrule, series.first_local_start.replace(tzinfo=None))


@transaction.atomic
def series_extend(
    *, series: SessionSeries, until: datetime, actor: User | None = None
) -> list[Session]:
    """Write the series' occurrences up to `until` (nothing when already there)."""
    series = SessionSeries.objects.select_for_update().select_related("program").get(pk=series.pk)
    if series.ended_at is not None or (
        series.materialized_until is not None and series.materialized_until >= until
    ):
        return []
    _lock_facilitator(series.facilitator)
    return _materialize(
        series, rule=series_rule(series), until=until, actor=actor, refuse_clashes=False
    )


def series_extend_all(*, now: datetime | None = None) -> int:
    """Move every running series' horizon to `now + HORIZON`; the number of rows written.
    One transaction per series, so one bad series does not hold back the others."""
    until = (now or timezone.now()) + HORIZON
    written = 0
    pending = SessionSeries.objects.filter(ended_at__isnull=True).exclude(
        materialized_until__gte=until
    )
    for series in pending.order_by("pk").iterator():
        written += len(series_extend(series=series, until=until))
    return written


# One-off sessions, moves and cancellations --------------------------------------------------


def _instant(program: Program, starts_at: datetime, *, field: str = "starts_at") -> datetime:
    """An aware start as given; a naive one is a wall time in the program's zone and must
    exist and be unambiguous there."""
    if starts_at.tzinfo is not None:
        return starts_at.astimezone(UTC)
    zone = ZoneInfo(program.time_zone)
    check_wall_time(starts_at, zone, field=field)
    return place(starts_at, zone)


@transaction.atomic
def session_create_single(
    *,
    program: Program,
    kind: str,
    facilitator: User,
    starts_at: datetime,
    duration_minutes: int | None = None,
    track: Track | None = None,
    capacity: int | None = None,
    actor: User | None,
) -> Session:
    """A one-off session. `starts_at` is aware, or a naive wall time in the program's zone
    (refused in a gap or a repeated hour). Refused in the past or when it double-books the
    facilitator (code `DOUBLE_BOOKED`)."""
    plan = _plan(
        program=program,
        kind=kind,
        facilitator=facilitator,
        duration_minutes=duration_minutes,
        track=track,
        capacity=capacity,
    )
    start = _instant(program, starts_at).replace(second=0, microsecond=0)
    if start <= timezone.now():
        raise ValidationError({"starts_at": ["Choose a start in the future."]})
    end = start + plan.duration
    _lock_facilitator(facilitator)
    clash = _clashes(facilitator, [(start, end)]).get(0)
    if clash is not None:
        raise _clash_error(facilitator, clash)
    reason = _closures(program, [start]).get(
        timezone.localtime(start, ZoneInfo(program.time_zone)).date()
    )
    if reason is not None:
        raise ValidationError({"starts_at": [f"The program is closed that day ({reason})."]})
    session = Session.objects.create(
        program=program,
        track=plan.track,
        kind=plan.kind,
        facilitator=facilitator,
        starts_at=start,
        ends_at=end,
        capacity=plan.capacity,
    )
    audit_record(actor=actor, action=Action.CREATE, object_type="session", object_id=session.pk)
    return session


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("program").get(pk=session.pk)


@transaction.atomic
def session_move(*, session: Session, new_local_start: datetime, actor: User | None) -> Session:
    """Move one session (or one occurrence: it keeps its `series_slot`, so the series goes on
    as before) to a new start, keeping its length. `new_local_start` is a naive wall time in
    the program's zone (or aware). Refused for a cancelled or finished session, a start in
    the past, a closure day, or a double booking (code `DOUBLE_BOOKED`)."""
    session = _locked(session)
    now = timezone.now()
    if session.is_cancelled:
        raise ValidationError("This session is cancelled; it cannot be moved.", code="cancelled")
    if session.starts_at <= now:
        raise ValidationError("This session has already started; it cannot be moved.")
    start = _instant(session.program, new_local_start, field="new_local_start").replace(
        second=0, microsecond=0
    )
    if start <= now:
        raise ValidationError({"new_local_start": ["Choose a start in the future."]})
    if start == session.starts_at:
        return session
    end = start + session.duration
    _lock_facilitator(session.facilitator)
    clash = _clashes(session.facilitator, [(start, end)], exclude=session.pk).get(0)
    if clash is not None:
        raise _clash_error(session.facilitator, clash)
    zone = ZoneInfo(session.program.time_zone)
    reason = _closures(session.program, [start]).get(timezone.localtime(start, zone).date())
    if reason is not None:
        raise ValidationError({"new_local_start": [f"The program is closed that day ({reason})."]})
    session.moved_from = session.starts_at
    session.starts_at, session.ends_at = start, end
    session.save(update_fields=["moved_from", "starts_at", "ends_at"])
    audit_record(actor=actor, action=Action.UPDATE, object_type="session", object_id=session.pk)
    reminders.reminders_session_changed(session)
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, actor: User | None) -> Session:
    """Cancel one session (one occurrence; the rest of its series stays). The reason is shown
    to the clients booked into it, so it must say something and carry no clinical detail."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the session is cancelled."]})
    session = _locked(session)
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled.", code="cancelled")
    if session.ends_at <= timezone.now():
        raise ValidationError("This session is over; it cannot be cancelled.")
    session.status = SessionStatus.CANCELLED
    session.status_reason = reason[:200]
    session.save(update_fields=["status", "status_reason"])
    audit_record(actor=actor, action=Action.UPDATE, object_type="session", object_id=session.pk)
    reminders.reminders_session_changed(session)
    return session


@transaction.atomic
def closure_add(*, program: Program, date: date, reason: str, actor: User | None) -> Closure:
    """Close the program on a day of its own zone: every scheduled session starting that day
    is cancelled with "Closed: <reason>" (the rows stay, so clients see why), and occurrences
    written later for that day are cancelled the same way."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the program is closed (e.g. a holiday)."]})
    if Closure.objects.filter(program=program, date=date).exists():
        raise ValidationError({"date": [f"The program is already closed on {date:%Y-%m-%d}."]})
    closure = Closure.objects.create(program=program, date=date, reason=reason[:100])
    audit_record(actor=actor, action=Action.CREATE, object_type="closure", object_id=closure.pk)
    lo, hi = day_bounds(date, ZoneInfo(program.time_zone))
    matching = Session.objects.select_for_update().filter(
        program=program, status=SessionStatus.SCHEDULED, starts_at__gte=lo, starts_at__lt=hi
    )
    ids = list(matching.values_list("pk", flat=True))
    Session.objects.filter(pk__in=ids).update(
        status=SessionStatus.CANCELLED, status_reason=closed_reason(closure.reason)
    )
    audit_record_many(
        actor=actor,
        action=Action.UPDATE,
        object_type="session",
        entries=[(None, pk) for pk in ids],
    )
    reminders.reminders_sessions_cancelled(ids)
    return closure


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a calendar day in `zone` (23 or 25 hours on a change day)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
