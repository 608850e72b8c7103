"""Notes over the JSON API: a client's signed notes and one note.

GET /clients/{id}/notes lists signed notes (signed or awaiting co-sign) of a client the caller
may see; GET /notes/{id} one note the caller may read (a draft: its author only). Psychotherapy
notes are never listed or returned. Anything the caller may not see is a 404.
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openiop.accounts.api import Detail
from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.notes.selectors import read_note_for_user, signed_notes_of
from openiop.notes.serialize import note_payload
from openiop.programs.selectors import get_client_for_user

router = Router(tags=["notes"])


class SectionOut(Schema):
    key: str
    label: str
    text: str


class AddendumOut(Schema):
    id: int
    author: str
    text: str
    signed_at: datetime


class NoteOut(Schema):
    id: int
    client: int
    session: int
    kind: str
    template: str
    status: str
    service_date: date | None
    starts_at: datetime
    facts: dict[str, Any]
    sections: list[SectionOut]
    group_summary: str | None
    client_attended: bool
    attendance_status: str
    duration_minutes: int
    signed_by: str | None
    signed_at: datetime | None
    cosigned_by: str | None
    cosigned_at: datetime | None
    code: str
    suggested_code: str
    code_note: str
    day_code: str
    suggested_day_code: str
    code_changed_reason: str
    addenda: list[AddendumOut]


@router.get("/clients/{client_id}/notes", response={200: list[NoteOut], 401: Detail, 404: Detail})
def client_notes(request: HttpRequest, client_id: int) -> list[dict[str, Any]]:
    """The client's signed notes, newest session first (group entries with the shared summary
    and this client's entry only)."""
    user: User = request.user  # type: ignore[assignment]
    client = get_client_for_user(user, client_id)
    with transaction.atomic():
        notes = list(signed_notes_of(client))
        audit_record(
            actor=user,
            action=Action.READ,
            object_type="progress_note_list",
            object_id=len(notes),
            client_id=client.pk,
        )
    return [note_payload(n) for n in notes]


@router.get("/notes/{note_id}", response={200: NoteOut, 401: Detail, 404: Detail})
def note_get(request: HttpRequest, note_id: int) -> dict[str, Any]:
    note = read_note_for_user(request.user, note_id)  # type: ignore[arg-type]
    return note_payload(note)
