"""What care shows on pages owned by apps to its left (see openiop.lib.slots)."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.care import selectors as sel
from openiop.care.models import Occurrence, TreatmentPlan
from openiop.lib.slots import Badge
from openiop.programs.models import OPEN_PHASES, Client
from openiop.programs.selectors import on_team_or_directs

HOME_GOALS = 3
HOME_TASKS = 3


def client_home(request: HttpRequest, client: Client | None) -> str | None:
    """The client's goals with progress and what is due next (fixed queries, audited)."""
    user: User = request.user  # type: ignore[assignment]
    if client is None or user.role != Role.CLIENT or client.user_id != user.pk:
        return None
    now = timezone.now()
    view = sel.plan_view(client, now=now, client_side=True)
    tasks = sel.open_homework(client, now, limit=HOME_TASKS)
    if view.shown is None and not tasks:
        return None
    sel.audit_read(user, client, sel.OBJECT_PLAN, view.shown.pk if view.shown else "")
    context = {
        "version": view.shown,
        "goals": view.goals[:HOME_GOALS],
        "more_goals": len(view.goals) > HOME_GOALS,
        "tasks": [(o, o.status_label(now)) for o in tasks],
    }
    return render_to_string("care/_panel_home.html", context, request=request)


def client_record(request: HttpRequest, client: Client | None) -> str | None:
    """Plan status, review due and homework completion on the staff view of a client."""
    user: User = request.user  # type: ignore[assignment]
    if client is None or not on_team_or_directs(user, client):
        return None
    now = timezone.now()
    view = sel.plan_view(client, now=now)
    overall = sel.completion_by_client([client.pk], now).get(client.pk, (0, 0))
    sel.audit_read(user, client, sel.OBJECT_PLAN, view.shown.pk if view.shown else "")
    context = {
        "client": client,
        "view": view,
        "review_due_on": sel.day_of(view.plan.review_due_at, client.program.time_zone)
        if view.plan
        else None,
        "review_overdue": bool(view.plan and view.plan.review_overdue(now)),
        "overall": overall,
        "overall_percent": sel.percent(overall),
    }
    return render_to_string("care/_panel_record.html", context, request=request)


def caseload_badges(user: Any, client_ids: list[int]) -> dict[int, list[Badge]]:
    """Overdue homework and overdue plan reviews: two queries whatever the caseload size."""
    if not client_ids:
        return {}
    now = timezone.now()
    late = set(
        Occurrence.objects.filter(
            client_id__in=client_ids,
            submitted_at__isnull=True,
            withdrawn_at__isnull=True,
            due_at__lte=now,
        )
        .order_by()
        .values_list("client_id", flat=True)
        .distinct()
    )
    open_phase = Q(enrollment__phase__in=OPEN_PHASES)
    review = set(
        TreatmentPlan.objects.filter(open_phase, client_id__in=client_ids, review_due_at__lte=now)
        .values_list("client_id", flat=True)
        .distinct()
    )
    badges: dict[int, list[Badge]] = {}
    for client_id in client_ids:
        found = []
        if client_id in late:
            found.append(Badge("Homework overdue", 1))
        if client_id in review:
            found.append(Badge("Plan review overdue", 1))
        if found:
            badges[client_id] = found
    return badges
