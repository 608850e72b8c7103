"""Staff safety pages: alerts, a client's safety plan, the in-session crisis panel."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record, audit_record_many
from openiop.lib.phones import display_phone
from openiop.programs.models import Client
from openiop.programs.selectors import get_client_for_user, read_client_for_user
from openiop.safety import selectors, services
from openiop.safety.forms import (
    AcknowledgeForm,
    AlertFilterForm,
    RaiseAlertForm,
    ResolveForm,
    TickForm,
)
from openiop.safety.models import ChecklistStep
from openiop.safety.views import plan_page, plan_sections, plan_sign
from openiop.scheduling.models import Session

ALERT_LIST_LIMIT = 200
STAFF_ROLES = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if user.role not in STAFF_ROLES:
        raise Http404
    return user


# Alerts -------------------------------------------------------------------------------------


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Alerts the signed-in member of staff must handle, newest first; filters by state and
    severity. Fixed queries: the alerts with client and routing, then one audit insert."""
    user = _staff(request)
    form = AlertFilterForm(request.GET or None)
    alerts = selectors.alerts_to_handle(user).select_related("client__program", "routing")
    state = severity = ""
    if form.is_valid():
        state, severity = form.cleaned_data["state"], form.cleaned_data["severity"]
    alerts = alerts.filter(state=state) if state else alerts.filter(state__in=selectors.UNRESOLVED)
    if severity:
        alerts = alerts.filter(severity=severity)
    rows = list(alerts.order_by("-raised_at", "-pk")[:ALERT_LIST_LIMIT])
    with transaction.atomic():
        audit_record_many(
            actor=user,
            action=Action.READ,
            object_type="safety.alert_list",
            entries=[(a.client_id, a.pk) for a in rows],
        )
    return render(request, "safety/alert_list.html", {"alerts": rows, "form": form})


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _staff(request)
    alert = selectors.read_alert_for_user(user, alert_id)
    may_see_client = get_client_for_user_or_none(user, alert.client_id) is not None
    crisis = selectors.crisis_view(alert.client)
    context = {
        "alert": alert,
        "routing": getattr(alert, "routing", None),
        "pages": list(alert.pages.select_related("recipient")),
        "may_act": selectors.may_act_on_alert(user, alert),
        "may_see_client": may_see_client,
        "crisis": crisis,
        "support_phone": display_phone(crisis.support.phone) if crisis.support else "",
        "ack_form": AcknowledgeForm(auto_id="ack_%s"),
        "resolve_form": ResolveForm(),
    }
    return render(request, "safety/alert_detail.html", context)


def get_client_for_user_or_none(user: User, client_id: int) -> Client | None:
    try:
        return get_client_for_user(user, client_id)
    except Http404:
        return None


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _staff(request)
    alert = selectors.get_alert_for_user(user, alert_id)
    form = AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        services.alert_acknowledge(alert=alert, actor=user, note=form.cleaned_data.get("note", ""))
    except services.AlertConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Acknowledged: escalation stopped. Resolve it when done.")
    return redirect("safety:alert_detail", alert_id=alert.pk)


@login_required
@require_POST
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _staff(request)
    alert = selectors.get_alert_for_user(user, alert_id)
    form = ResolveForm(request.POST)
    form.is_valid()
    try:
        services.alert_resolve(
            alert=alert,
            actor=user,
            outcome=form.cleaned_data.get("outcome", ""),
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("safety:alert_detail", args=[alert.pk]) + "#resolve")
    except services.AlertConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Resolved.")
    return redirect("safety:alert_detail", alert_id=alert.pk)


@login_required
@require_POST
def client_alert_raise(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = get_client_for_user(user, client_id)
    form = RaiseAlertForm(request.POST, auto_id="raise_%s")
    if not form.is_valid():
        messages.error(request, "Choose a severity and say briefly why.")
        return redirect("programs:client_detail", client_id=client.pk)
    try:
        with transaction.atomic():
            alert = services.clinician_alert_raise(
                client=client,
                actor=user,
                severity=form.cleaned_data["severity"],
                reason=form.cleaned_data["reason"],
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programs:client_detail", client_id=client.pk)
    messages.success(request, "Alert raised: the on-duty clinician is being paged.")
    return redirect("safety:alert_detail", alert_id=alert.pk)


# Safety plan (staff) ---------------------------------------------------------------------------


@login_required
def client_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = get_client_for_user(user, client_id)
    if user.role == Role.CLIENT:
        return redirect("safety:my_plan")
    version = request.GET.get("version", "")
    if version.isascii() and version.isdigit():
        return _plan_version_page(request, client, int(version))
    return plan_page(request, client, template="safety/client_plan.html", own=False)


def _plan_version_page(request: HttpRequest, client: Client, version: int) -> HttpResponse:
    with transaction.atomic():
        plan = selectors.plan_version(client, version)
        if plan is None:
            raise Http404
        audit_record(
            actor=_user(request),
            action=Action.READ,
            object_type="safety.plan",
            object_id=plan.pk,
            client_id=client.pk,
        )
    return render(
        request,
        "safety/plan_version.html",
        {"client": client, "plan": plan, "sections": plan_sections(plan)},
    )


@login_required
@require_POST
def client_plan_sign(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(_user(request), client_id)
    if not selectors.may_edit_plan(_user(request), client):
        raise PermissionDenied(selectors.NOT_ALLOWED_PLAN)
    return plan_sign(request, client)


# In-session crisis panel -------------------------------------------------------------------


def _session_id(request: HttpRequest, client: Client) -> int | None:
    raw = request.GET.get("session") or request.POST.get("session") or ""
    if not (raw.isascii() and raw.isdigit()):
        return None
    exists = Session.objects.filter(pk=int(raw), program_id=client.program_id).exists()
    return int(raw) if exists else None


def crisis_context(request: HttpRequest, client: Client, session_id: int | None) -> dict:
    """Everything the crisis panel shows (a fixed number of queries)."""
    crisis = selectors.crisis_view(client, session_id=session_id)
    since = timezone.now() - timedelta(hours=12)
    ticks = selectors.checklist_ticks(client, session_id, since)
    done: dict[str, list] = {}
    for tick in ticks:
        done.setdefault(tick.step, []).append(tick)
    steps = [(value, label, done.get(value, [])) for value, label in ChecklistStep.choices]
    return {
        "client": client,
        "crisis": crisis,
        "session_id": session_id,
        "steps": steps,
        "sections": plan_sections(crisis.plan),
        "support_phone": display_phone(crisis.support.phone) if crisis.support else "",
        "raise_form": RaiseAlertForm(auto_id="raise_%s"),  # ids unique beside the phase form
        "may_raise": user_may_raise(_user(request)),
        "next": _back_to(request),
        "zone": ZoneInfo(client.program.time_zone),
    }


def _back_to(request: HttpRequest) -> str:
    """Where the checklist's buttons return: `?next=` (the video room passes its own page),
    else the page that shows the panel."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return request.get_full_path() + "#crisis-panel"


def user_may_raise(user: User) -> bool:
    return user.role in (Role.CLINICIAN, Role.DIRECTOR)


@login_required
def crisis_panel(request: HttpRequest, client_id: int) -> HttpResponse:
    """A server-rendered fragment for the video room (and the client record): where the
    client is, who to call there, their support person, plan and the crisis checklist."""
    user = _user(request)
    if user.role not in STAFF_ROLES:
        get_client_for_user(user, client_id)  # a client gets the same 404 as anyone else
        raise Http404
    client = read_client_for_user(user, client_id, object_type="safety.crisis_panel")
    context = crisis_context(request, client, _session_id(request, client))
    return render(request, "safety/crisis_panel.html", context)


@login_required
@require_POST
def crisis_tick(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = get_client_for_user(user, client_id)
    if user.role not in STAFF_ROLES:
        raise Http404
    form = TickForm(request.POST)
    session_id = _session_id(request, client)
    if form.is_valid():
        services.checklist_tick(
            client=client,
            actor=user,
            step=form.cleaned_data["step"],
            session=Session.objects.get(pk=session_id) if session_id else None,
        )
    else:
        messages.error(request, "Choose a step from the checklist.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("programs:client_detail", args=[client.pk]) + "#crisis-panel"
    return redirect(target)
