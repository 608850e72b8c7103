"""Engagement: no-show follow-up, the engagement flag, and the "needs attention" view.

- A client recorded as a no-show gets a caring, discreet message, and their primary clinician
  (or, with none, the session's facilitator) a follow-up task due by the end of that day in
  the program's zone. Correcting the record to anything else withdraws both if not yet done.
- The engagement flag (a caseload badge, ``engagement_badges``) rises for two unexcused
  absences (absent or no-show) in a row, or a week whose required hours can no longer be met.
- ``/caseload/needs/`` lists the signed-in staff member's caseload sorted by need, with the
  reasons: every app's badges (open alerts, overdue measures, homework: ``badges_for``) plus
  attendance % over four weeks and this week's hours against the requirement.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.slots import Badge, badges_for, badges_register, nav_register
from openiop.notify.selectors import open_tasks_by_client, unreachable_users
from openiop.notify.services import (
    clinical_terms_register,
    notify_send,
    notify_withdraw,
    preference_ensure,
    staff_task_add,
    staff_task_withdraw,
)
from openiop.programs.models import CareTeamMember, CareTeamRole, Client, Program, Track
from openiop.programs.selectors import caseload, record_list_read
from openiop.scheduling.hours import IsoWeek, WeekHours, weeks_for_clients
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    AttendanceStatus,
    Session,
)

UNEXCUSED = frozenset({AttendanceStatus.ABSENT, AttendanceStatus.NO_SHOW})
LOOKBACK = timedelta(days=28)
NEEDS_LIMIT = 100
STAFF_VIEWERS = {Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR}
CARING_SUBJECT = "We missed you"
CARING_BODY = (
    "We missed you today. Someone from your team will be in touch. You can also open the app "
    "to find another time."
)


# --- no-show follow-up ------------------------------------------------------------------------


def _follow_up_key(session: Session, client: Client) -> str:
    return f"noshow:{session.pk}:{client.pk}"


def _end_of_day(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(23, 59), tzinfo=zone)


def attendance_follow_up(
    *, record: Attendance, session: Session, client: Client, actor: User | None
) -> None:
    """Called by ``attendance_record`` inside its transaction."""
    key = _follow_up_key(session, client)
    if record.status != AttendanceStatus.NO_SHOW:
        staff_task_withdraw(key_prefix=key)
        notify_withdraw(key_prefix=f"{key}:care")
        return
    primary = (
        CareTeamMember.objects.filter(client=client, role=CareTeamRole.PRIMARY)
        .select_related("user")
        .first()
    )
    owner = primary.user if primary is not None else session.facilitator
    zone = ZoneInfo(session.program.time_zone)
    task = staff_task_add(
        user=owner,
        key=key,
        title=f"Follow up: {client.first_name} {client.last_name[:1]}. missed a session",
        due_at=_end_of_day(timezone.now(), zone),
        link=reverse("programs:client_detail", args=[client.pk]),
        client_id=client.pk,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="staff_task",
        object_id=task.pk,
        client_id=client.pk,
    )
    preference_ensure(user=client.user, time_zone=client.time_zone, phone=client.phone)
    notify_send(
        user=client.user,
        key=f"{key}:care",
        subject=CARING_SUBJECT,
        body=CARING_BODY,
        link=reverse("my_schedule:my_week"),
    )


# --- the engagement flag ----------------------------------------------------------------------


def _recent_statuses(client_ids: list[int], since: datetime) -> dict[int, list[str]]:
    """Each client's current attendance statuses since ``since``, newest first (one query)."""
    rows = (
        Attendance.objects.filter(
            client_id__in=client_ids, is_current=True, session__starts_at__gte=since
        )
        .order_by("client_id", "-session__starts_at", "-pk")
        .values_list("client_id", "status")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for client_id, status in rows:
        found[client_id].append(status)
    return found


def _weeks(client_ids: list[int], now: datetime) -> dict[int, WeekHours]:
    """This week's hours per client, in their program's calendar (1 + 3 per program)."""
    clients = list(Client.objects.filter(pk__in=client_ids).select_related("program", "user"))
    by_program: dict[int, list[Client]] = defaultdict(list)
    programs: dict[int, Program] = {}
    for client in clients:
        by_program[client.program_id].append(client)
        programs[client.program_id] = client.program
    result: dict[int, WeekHours] = {}
    for program_id, members in by_program.items():
        program = programs[program_id]
        week = IsoWeek.of(now.astimezone(ZoneInfo(program.time_zone)).date())
        result.update(weeks_for_clients(program, members, week))
    return result


def _client_users(client_ids: list[int]) -> dict[int, int]:
    """{user_id: client_id}."""
    return dict(Client.objects.filter(pk__in=client_ids).values_list("user_id", "pk"))


def engagement_badges(user: User, client_ids: list[int]) -> dict[int, list[Badge]]:
    """The caseload column: queries are 1 (attendance) + 1 + 3 per program (hours) + 1 (open
    follow-ups) + 2 (addresses that bounce), whatever the number of clients."""
    if not client_ids:
        return {}
    now = timezone.now()
    badges: dict[int, list[Badge]] = defaultdict(list)
    for client_id, statuses in _recent_statuses(client_ids, now - LOOKBACK).items():
        if len(statuses) >= 2 and statuses[0] in UNEXCUSED and statuses[1] in UNEXCUSED:
            badges[client_id].append(Badge("Missed the last two sessions", 3))
    for client_id, week in _weeks(client_ids, now).items():
        if week.cannot_meet:
            hours = f"{week.attended_hours} of {week.required_hours} h"
            badges[client_id].append(Badge(f"Can't meet this week's hours ({hours})", 2))
    for client_id, tasks in open_tasks_by_client(client_ids).items():
        badges[client_id].append(Badge("No-show follow-up open", 2 * len(tasks)))
    by_user = _client_users(client_ids)
    for user_id, why in unreachable_users(by_user).items():
        badges[by_user[user_id]].append(Badge(why, 1))
    return dict(badges)


# --- the needs view ---------------------------------------------------------------------------


@dataclass
class NeedRow:
    client: Client
    badges: list[Badge] = field(default_factory=list)
    attendance_pct: int | None = None
    week: WeekHours | None = None

    @property
    def weight(self) -> int:
        return sum(badge.weight for badge in self.badges)

    def sort_key(self) -> tuple[int, int]:
        """Most weight first; among equals, the lowest attendance."""
        return -self.weight, 101 if self.attendance_pct is None else self.attendance_pct


def _attendance_pct(client_ids: list[int], now: datetime) -> dict[int, int]:
    """Attended / (sessions with a record, excused ones left out), last four weeks."""
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = Attendance.objects.filter(
        client_id__in=client_ids,
        is_current=True,
        session__starts_at__gte=now - LOOKBACK,
        session__starts_at__lt=now,
    ).exclude(status=AttendanceStatus.EXCUSED)
    for client_id, status in rows.values_list("client_id", "status"):
        tally[client_id][0] += status in ATTENDED_STATUSES
        tally[client_id][1] += 1
    return {pk: round(100 * hit / total) for pk, (hit, total) in tally.items() if total}


def needs_rows(user: User, now: datetime) -> list[NeedRow]:
    clients = list(caseload(user))
    ids = [c.pk for c in clients]
    badges = badges_for(user, ids)
    pct = _attendance_pct(ids, now)
    weeks = _weeks(ids, now)
    rows = [NeedRow(c, badges.get(c.pk, []), pct.get(c.pk), weeks.get(c.pk)) for c in clients]
    rows.sort(key=NeedRow.sort_key)
    return rows


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in STAFF_VIEWERS:
        raise Http404
    rows = needs_rows(user, timezone.now())
    shown = rows[:NEEDS_LIMIT]
    record_list_read(user, [row.client.pk for row in shown], object_type="engagement")
    context = {"rows": shown, "total": len(rows), "limit": NEEDS_LIMIT}
    return render(request, "scheduling/engagement.html", context)


# --- registration -----------------------------------------------------------------------------


def _program_names() -> list[str]:
    """Programs' and tracks' names may name a condition ("Adult mood"): never in a reminder."""
    names = list(Program.objects.values_list("name", flat=True))
    names += Track.objects.filter(~Q(name="")).values_list("name", flat=True)
    return names


def register() -> None:
    """Called from SchedulingConfig.ready()."""
    badges_register(engagement_badges, order=30)
    nav_register(
        "Needs attention",
        "scheduling:engagement",
        roles={Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR},
        order=20,
    )
    clinical_terms_register(_program_names)
