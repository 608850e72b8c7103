"""Safety over the JSON API: the safety plan, alerts, acknowledge and resolve (API.md)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from openiop.accounts.api import Detail, Text
from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record, audit_record_many
from openiop.programs.selectors import get_client_for_user
from openiop.safety import selectors, services
from openiop.safety.models import Alert, AlertState, SafetyPlan

router = Router(tags=["safety"])

SectionText = Text


class PlanIn(Schema):
    warning_signs: SectionText = Field(default="", max_length=5000)
    coping_alone: SectionText = Field(default="", max_length=5000)
    distractions: SectionText = Field(default="", max_length=5000)
    people_to_ask: SectionText = Field(default="", max_length=5000)
    professionals: SectionText = Field(default="", max_length=5000)
    safer_surroundings: SectionText = Field(default="", max_length=5000)
    review_on: date | None = None
    sign: bool = False


class PlanOut(Schema):
    client: int
    version: int | None
    warning_signs: str
    coping_alone: str
    distractions: str
    people_to_ask: str
    professionals: str
    safer_surroundings: str
    review_on: date | None
    client_signed_at: datetime | None
    clinician_signed_at: datetime | None
    signed: bool


class AlertOut(Schema):
    id: int
    client: int
    severity: str
    source: str
    reason: str
    state: str
    raised_at: datetime
    deadline_at: datetime | None
    escalation_step: int | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    outcome: str


class AckIn(Schema):
    note: Text = Field(default="", max_length=5000)


class ResolveIn(Schema):
    outcome: Text = Field(default="", max_length=32)
    note: Text = Field(default="", max_length=5000)


def _plan_out(client_id: int, plan: SafetyPlan | None, defaults: dict[str, str]) -> dict:
    if plan is None:
        empty = {name: defaults.get(name, "") for name in SafetyPlan.SECTIONS}
        return {
            "client": client_id,
            "version": None,
            **empty,
            "review_on": None,
            "client_signed_at": None,
            "clinician_signed_at": None,
            "signed": False,
        }
    return {
        "client": client_id,
        "version": plan.version,
        **{name: getattr(plan, name) for name in SafetyPlan.SECTIONS},
        "review_on": plan.review_on,
        "client_signed_at": plan.client_signed_at,
        "clinician_signed_at": plan.clinician_signed_at,
        "signed": plan.is_signed,
    }


def _alert_out(alert: Alert) -> dict:
    routing = getattr(alert, "routing", None)
    return {
        "id": alert.pk,
        "client": alert.client_id,
        "severity": alert.severity,
        "source": alert.source,
        "reason": alert.reason,
        "state": alert.state,
        "raised_at": alert.raised_at,
        "deadline_at": routing.deadline_at if routing and alert.state == "open" else None,
        "escalation_step": routing.step if routing else None,
        "acknowledged_at": alert.acknowledged_at,
        "resolved_at": alert.resolved_at,
        "outcome": alert.outcome,
    }


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/clients/{client_id}/safety-plan", response={200: PlanOut, 401: Detail, 404: Detail})
def safety_plan_get(request: HttpRequest, client_id: int) -> dict:
    """The current version (the latest, signed or not); before the first save, the starting
    text with `version: null`. The read is audited."""
    user = _user(request)
    client = get_client_for_user(user, client_id)
    with transaction.atomic():
        plan = selectors.plan_latest(client)
        audit_record(
            actor=user,
            action=Action.READ,
            object_type="safety.plan",
            object_id=plan.pk if plan else "",
            client_id=client.pk,
        )
    return _plan_out(client.pk, plan, selectors.plan_defaults(client) if plan is None else {})


@router.put(
    "/clients/{client_id}/safety-plan",
    response={200: PlanOut, 401: Detail, 403: Detail, 404: Detail, 422: Detail},
)
def safety_plan_put(request: HttpRequest, client_id: int, body: PlanIn) -> dict:
    """Save the six sections (a signed plan gets a new version); `sign: true` then signs as
    the caller (client or clinician). An empty plan cannot be signed (422)."""
    user = _user(request)
    client = get_client_for_user(user, client_id)
    if not selectors.may_edit_plan(user, client):
        raise HttpError(403, selectors.NOT_ALLOWED_PLAN)
    sections = {name: getattr(body, name) for name in SafetyPlan.SECTIONS}
    try:
        with transaction.atomic():
            plan = services.safety_plan_save(
                client=client, actor=user, sections=sections, review_on=body.review_on
            )
            if body.sign:
                plan = services.safety_plan_sign(plan=plan, actor=user)
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from None
    return _plan_out(client.pk, plan, {})


@router.get("/alerts", response={200: list[AlertOut], 401: Detail, 422: Detail})
def alert_list(request: HttpRequest, state: str = "") -> list[dict]:
    """Alerts the caller must handle; `state` one of open, acknowledged, resolved (default:
    open and acknowledged). Each listed alert's read is audited."""
    user = _user(request)
    if state and state not in AlertState.values:
        raise HttpError(422, "state must be one of open, acknowledged, resolved.")
    alerts = selectors.alerts_to_handle(user).select_related("routing")
    alerts = alerts.filter(state=state) if state else alerts.filter(state__in=selectors.UNRESOLVED)
    rows = list(alerts.order_by("-raised_at", "-pk")[:500])
    with transaction.atomic():
        audit_record_many(
            actor=user,
            action=Action.READ,
            object_type="safety.alert_list",
            entries=[(a.client_id, a.pk) for a in rows],
        )
    return [_alert_out(a) for a in rows]


def _act(request: HttpRequest, alert_id: int, do: str, body: AckIn | ResolveIn) -> dict:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, alert_id)
    try:
        if do == "ack":
            alert = services.alert_acknowledge(alert=alert, actor=user, note=body.note)
        else:
            outcome = getattr(body, "outcome", "")
            alert = services.alert_resolve(alert=alert, actor=user, outcome=outcome, note=body.note)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from None
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    except services.AlertConflict as conflict:
        raise HttpError(409, str(conflict)) from None
    return _alert_out(alert)


ACT_RESPONSES = {200: AlertOut, 401: Detail, 403: Detail, 404: Detail, 409: Detail, 422: Detail}


@router.post("/alerts/{alert_id}/acknowledge", response=ACT_RESPONSES)
def alert_acknowledge(request: HttpRequest, alert_id: int, body: AckIn) -> dict:
    """Only an open alert (409 otherwise); care team, on-call clinicians and the program's
    directors (403 for others who can see it, 404 for everyone else)."""
    return _act(request, alert_id, "ack", body)


@router.post("/alerts/{alert_id}/resolve", response=ACT_RESPONSES)
def alert_resolve(request: HttpRequest, alert_id: int, body: ResolveIn) -> dict:
    """`outcome` one of reached_client, plan_reviewed, support_contacted, emergency_called,
    other (with a note); without one, 422."""
    return _act(request, alert_id, "resolve", body)
