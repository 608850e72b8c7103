"""The family portal over the JSON API: the same consent checks as the pages, per request.

A family member's bearer token reaches only what an active consent allows; a revoked or
expired consent answers 404 at once, and when no consent is left the tokens are revoked
(401)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from openiop.accounts.api import Detail
from openiop.accounts.models import User
from openiop.family import selectors
from openiop.resources.models import FamilyScope

router = Router(tags=["family"])


class ShareOut(Schema):
    client: int
    first_name: str
    scopes: list[str]
    expires_at: datetime


class FamilySessionOut(Schema):
    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    status: str
    in_person_address: str | None
    family_invited: bool


class FamilyNoteSectionOut(Schema):
    label: str
    text: str


class FamilyNoteOut(Schema):
    id: int
    session_starts_at: datetime
    signed_at: datetime
    sections: list[FamilyNoteSectionOut]
    addenda: list[str]


class AttendanceOut(Schema):
    starts_at: datetime
    kind: str
    status: str


@router.get("/family/shares", response={200: list[ShareOut], 401: Detail})
def shares(request: HttpRequest) -> list[dict[str, object]]:
    """What is shared with the caller now (empty for anyone who is not a family member)."""
    return [
        {
            "client": c.client_id,
            "first_name": c.client.preferred_name or c.client.first_name,
            "scopes": c.scopes,
            "expires_at": c.expires_at,
        }
        for c in selectors.active_shares(request.user)  # type: ignore[arg-type]
    ]


@router.get(
    "/family/clients/{client_id}/sessions",
    response={200: list[FamilySessionOut], 401: Detail, 404: Detail},
)
def client_sessions(request: HttpRequest, client_id: int) -> list[dict[str, object]]:
    """The client's booked sessions for four weeks, in the caller's zone (schedule scope)."""
    user: User = request.user  # type: ignore[assignment]
    consent = selectors.read_consent(user, client_id, FamilyScope.SCHEDULE, "family_schedule")
    now, zone = selectors.now_and_zone(user)
    return [
        {
            "id": s.session.pk,
            "kind": s.session.kind,
            "starts_at": s.local_start,
            "ends_at": s.local_end,
            "status": s.session.status,
            "in_person_address": s.place if s.session.in_person_location_id else None,
            "family_invited": s.is_family,
        }
        for s in selectors.client_schedule(consent, now, zone)
    ]


@router.get(
    "/family/clients/{client_id}/attendance",
    response={200: list[AttendanceOut], 401: Detail, 404: Detail},
)
def client_attendance(request: HttpRequest, client_id: int) -> list[dict[str, object]]:
    user: User = request.user  # type: ignore[assignment]
    consent = selectors.read_consent(user, client_id, FamilyScope.ATTENDANCE, "family_attendance")
    now, zone = selectors.now_and_zone(user)
    return [
        {"starts_at": r.local_start, "kind": r.kind, "status": r.status}
        for r in selectors.client_attendance(consent, now, zone)
    ]


@router.get(
    "/family/clients/{client_id}/family-notes",
    response={200: list[FamilyNoteOut], 401: Detail, 404: Detail},
)
def client_family_notes(request: HttpRequest, client_id: int) -> list[dict[str, object]]:
    """Signed notes of the client's family sessions (family-notes scope), newest first."""
    user: User = request.user  # type: ignore[assignment]
    consent = selectors.read_consent(user, client_id, FamilyScope.FAMILY_NOTES, "family_notes")
    return [
        {
            "id": note.pk,
            "session_starts_at": note.session.starts_at,
            "signed_at": note.signed_at,
            "sections": [
                {"label": label, "text": text}
                for _key, label, _hint, text in note.section_list
                if text
            ],
            "addenda": [a.text for a in note.addenda.all()],
        }
        for note in selectors.family_session_notes(consent)
    ]
