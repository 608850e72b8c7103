"""What safety shows on pages owned by apps to its left (see openiop.lib.slots)."""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic, audit_record_many
from openiop.lib.slots import Badge
from openiop.programs.models import Client, ProgramStaff
from openiop.safety import selectors
from openiop.safety.models import Alert, AlertState, AlertStep, Severity

STAFF_ROLES = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)
PANEL_LIMIT = 20
BADGE_WEIGHT = {Severity.HIGH: 10, Severity.MODERATE: 5, Severity.LOW: 2}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def staff_alerts(request: HttpRequest, _subject: Any = None) -> str | None:
    """Top of the staff caseload: the unresolved alerts this person must handle, and in red
    any alert of their programs that escalated to the director or could reach nobody.

    Two queries (the user's alerts; the programs' escalated ones) and one audit insert."""
    user = _user(request)
    if user.role not in STAFF_ROLES:
        return None
    mine = list(
        selectors.alerts_to_handle(user)
        .filter(state__in=selectors.UNRESOLVED)
        .select_related("client", "routing")
        .order_by("-raised_at", "-pk")[:PANEL_LIMIT]
    )
    programs = ProgramStaff.objects.filter(user=user).values("program_id")
    escalated = list(
        Alert.objects.filter(state=AlertState.OPEN, client__program_id__in=programs)
        .filter(Q(routing__step__gte=AlertStep.DIRECTOR) | Q(routing__unrouted=True))
        .select_related("client__program", "routing")
        .order_by("-raised_at", "-pk")[:PANEL_LIMIT]
    )
    if not mine and not escalated:
        return None
    mine_ids = {a.pk for a in mine}
    if mine:
        with transaction.atomic():
            audit_record_many(
                actor=user,
                action=Action.READ,
                object_type="safety.alert_list",
                entries=[(a.client_id, a.pk) for a in mine],
            )
    return render_to_string(
        "safety/panel_staff_alerts.html",
        {"mine": mine, "escalated": escalated, "mine_ids": mine_ids},
        request=request,
    )


def director_links(request: HttpRequest, _subject: Any = None) -> str | None:
    """A director's links to the on-call rota and local resources of each program (1 query)."""
    from openiop.programs.selectors import programs_directed_by

    user = _user(request)
    if user.role != Role.DIRECTOR:
        return None
    programs = list(programs_directed_by(user).order_by("name"))
    if not programs:
        return None
    return render_to_string(
        "safety/panel_director_links.html", {"programs": programs}, request=request
    )


def plans_due(request: HttpRequest, _subject: Any = None) -> str | None:
    """Safety plans of the clinician's clients due for review (the reminder's due item)."""
    user = _user(request)
    if user.role != Role.CLINICIAN:
        return None
    plans = selectors.plans_due_for_review(user, timezone.localdate())
    if not plans:
        return None
    return render_to_string("safety/panel_plans_due.html", {"plans": plans}, request=request)


def client_help(request: HttpRequest, client: Client | None) -> str | None:
    """The client's home page: Help now first, then their plan and contacts."""
    if client is None or _user(request).pk != client.user_id:
        return None
    return render_to_string("safety/panel_client_help.html", {"client": client}, request=request)


def client_safety(request: HttpRequest, client: Client | None) -> str | None:
    """The staff view of a client: open alerts, the plan, and the crisis panel (collapsed)."""
    user = _user(request)
    if client is None or user.role not in STAFF_ROLES:
        return None
    from openiop.safety.views_staff import crisis_context

    alerts = list(
        Alert.objects.filter(client=client, state__in=selectors.UNRESOLVED).order_by("-raised_at")
    )
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type="safety.crisis_panel",
        object_id=client.pk,
        client_id=client.pk,
    )
    context = {**crisis_context(request, client, None), "alerts": alerts, "embedded": True}
    return render_to_string("safety/panel_client_safety.html", context, request=request)


def alert_badges(user: Any, client_ids: list[int]) -> dict[int, list[Badge]]:
    """Caseload column: one badge per unresolved alert (one query)."""
    if not client_ids or getattr(user, "role", None) not in STAFF_ROLES:
        return {}
    rows = Alert.objects.filter(
        client_id__in=client_ids, state__in=selectors.UNRESOLVED
    ).values_list("client_id", "severity", "state")
    badges: dict[int, list[Badge]] = {}
    for client_id, severity, state in rows:
        word = "open" if state == AlertState.OPEN else "acknowledged"
        badges.setdefault(client_id, []).append(
            Badge(f"Alert ({severity}, {word})", BADGE_WEIGHT[Severity(severity)])
        )
    return badges
