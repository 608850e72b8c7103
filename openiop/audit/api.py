"""`GET /audit`: the compliance officer's search of the trail, for scripts and integrations."""

from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from openiop.audit.models import Action, AuditEvent
from openiop.audit.selectors import audit_events
from openiop.audit.services import audit_record
from openiop.audit.views import AUDITOR_ROLE

router = Router(tags=["audit"])


class AuditFilters(Schema):
    client: int | None = Field(default=None, ge=1, le=2**63 - 1)
    actor: str | None = Field(default=None, max_length=254)
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    limit: int = Field(default=500, ge=1, le=5000)


class AuditEventOut(Schema):
    seq: int
    at: datetime
    actor: str | None
    actor_role: str
    client_id: int | None
    action: str
    object_type: str
    object_id: str
    ip: str | None
    user_agent: str
    reason: str


class Detail(Schema):
    detail: str


def _out(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor.email if event.actor else None,
        "actor_role": event.actor_role,
        "client_id": event.client_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "reason": event.reason,
    }


@router.get("/audit", response={200: list[AuditEventOut], 400: Detail, 401: Detail, 403: Detail})
def audit_search(request: HttpRequest, filters: Query[AuditFilters]) -> list[dict[str, object]]:
    """Events newest first (dates are UTC days, both inclusive). Compliance role only; the
    search itself is recorded in the trail."""
    user = request.user
    if getattr(user, "role", None) != AUDITOR_ROLE:
        raise HttpError(403, "Only compliance officers may read the audit trail.")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise HttpError(400, "`from` is after `to`.")
    with transaction.atomic():
        events = list(
            audit_events(
                client_id=filters.client,
                actor_email=filters.actor,
                date_from=filters.date_from,
                date_to=filters.date_to,
            )[: filters.limit]
        )
        described = "; ".join(
            f"{key}={value}"
            for key, value in filters.dict(by_alias=True).items()
            if value is not None and key != "limit"
        )
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="audit_event",
            client_id=filters.client,
            reason=f"api; {described}",
        )
    return [_out(event) for event in events]
