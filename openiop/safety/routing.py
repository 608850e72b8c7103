"""Who an alert pages, and by when it must be acknowledged. Model reads only, no writes.

An alert first goes to the client's primary clinician if they are working now (their hours,
by default the program's business hours), else to the program's on-call clinician. Unanswered
by the deadline it goes to the shift's backup, then to the program's directors. A step with
nobody to page is skipped; an alert nobody at all can be paged for is "unrouted".
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from openiop.accounts.models import Role, User
from openiop.programs.models import Program, ProgramStaff
from openiop.programs.selectors import primary_clinician
from openiop.safety.models import Alert, AlertStep, OnCallShift, Severity, StaffHours
from openiop.scheduling.models import Closure

BUSINESS_DAYS = range(0, 5)  # Monday to Friday
BUSINESS_START = time(9, 0)
BUSINESS_END = time(17, 0)
ACK_WITHIN = {Severity.HIGH: timedelta(minutes=5), Severity.MODERATE: timedelta(minutes=60)}


def next_business_morning(program: Program, after: datetime) -> datetime:
    """09:00 in the program's zone on the next weekday after `after` that is not one of the
    program's closure days (holidays), DST-safe: the wall time is built in the zone, then
    converted. One query."""
    zone = ZoneInfo(program.time_zone)
    day = after.astimezone(zone).date() + timedelta(days=1)
    closed = set(
        Closure.objects.filter(
            program=program, date__gte=day, date__lte=day + timedelta(days=60)
        ).values_list("date", flat=True)
    )
    while day.weekday() not in BUSINESS_DAYS or day in closed:
        day += timedelta(days=1)
    return datetime.combine(day, BUSINESS_START, tzinfo=zone)


def deadline_for(severity: str, program: Program, paged_at: datetime) -> datetime:
    """When a page sent at `paged_at` must be acknowledged: high 5 minutes, moderate 60,
    low the next business day at 09:00 in the program's zone."""
    if severity in ACK_WITHIN:
        return paged_at + ACK_WITHIN[Severity(severity)]
    return next_business_morning(program, paged_at)


def is_working(user: User, program: Program, at: datetime) -> bool:
    """Inside one of the user's working periods for the program (program's zone); without
    hours of their own, the program's business hours on a day it is open."""
    local = at.astimezone(ZoneInfo(program.time_zone))
    periods = [
        (h.weekday, h.start, h.end) for h in StaffHours.objects.filter(user=user, program=program)
    ]
    if not periods:  # the program's business hours, which a closure day (holiday) has not
        if Closure.objects.filter(program=program, date=local.date()).exists():
            return False
        periods = [(day, BUSINESS_START, BUSINESS_END) for day in BUSINESS_DAYS]
    now = local.time()
    return any(day == local.weekday() and start <= now < end for day, start, end in periods)


def shift_at(program: Program, at: datetime) -> OnCallShift | None:
    """The on-call shift covering `at` (the latest-starting one if shifts overlap)."""
    return (
        OnCallShift.objects.filter(program=program, starts_at__lte=at, ends_at__gt=at)
        .select_related("primary", "backup")
        .order_by("-starts_at", "-pk")
        .first()
    )


def on_call_users(program_id: int, at: datetime) -> QuerySet[User]:
    """Everyone on an on-call shift (primary or backup) of the program at `at`."""
    shifts = OnCallShift.objects.filter(program_id=program_id, starts_at__lte=at, ends_at__gt=at)
    return User.objects.filter(
        is_active=True,
        pk__in=[*shifts.values_list("primary_id", flat=True)]
        + [b for b in shifts.values_list("backup_id", flat=True) if b],
    )


def directors(program: Program) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role=Role.DIRECTOR,
            pk__in=ProgramStaff.objects.filter(program=program).values("user_id"),
        ).order_by("pk")
    )


def recipients_for(alert: Alert, step: int, at: datetime) -> list[User]:
    """Who to page at `step` for `alert`, at `at` (empty when the step has nobody)."""
    program = alert.client.program
    shift = shift_at(program, at)
    if step == AlertStep.FIRST:
        primary = primary_clinician(alert.client_id)
        if primary is not None and is_working(primary, program, at):
            return [primary]
        if shift is not None and shift.primary.is_active:
            return [shift.primary]
        return []
    if step == AlertStep.BACKUP:
        if shift is None:
            return []
        paged = set(alert.pages.values_list("recipient_id", flat=True))
        # The backup; if the first page went to the primary clinician, the on-call clinician
        # has not heard of it yet and comes along.
        people = [u for u in (shift.backup, shift.primary) if u is not None and u.is_active]
        return [u for u in dict.fromkeys(people) if u.pk not in paged] or []
    if step == AlertStep.DIRECTOR:
        return directors(program)
    return []
