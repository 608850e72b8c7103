"""One shape of a progress note for the API and the record download (never a psychotherapy
note: this module does not know that table)."""

from typing import Any

from openiop.notes.models import ProgressNote


def note_payload(note: ProgressNote) -> dict[str, Any]:
    """The note as the record holds it: for a group entry, the shared summary and this
    client's entry only."""
    return {
        "id": note.pk,
        "client": note.client_id,
        "session": note.session_id,
        "kind": note.kind,
        "template": note.template,
        "status": note.status,
        "service_date": note.service_date,
        "starts_at": note.session.starts_at,
        "facts": note.facts,
        "sections": [
            {"key": key, "label": label, "text": text}
            for key, label, _hint, text in note.section_list
        ],
        "group_summary": note.group_note.summary if note.group_note_id else None,  # type: ignore[union-attr]
        "client_attended": note.client_attended,
        "attendance_status": note.attendance_status,
        "duration_minutes": note.duration_minutes,
        "signed_by": str(note.signed_by) if note.signed_by_id else None,
        "signed_at": note.signed_at,
        "cosigned_by": str(note.cosigner) if note.cosigner_id else None,
        "cosigned_at": note.cosigned_at,
        "code": note.code,
        "suggested_code": note.suggested_code,
        "code_note": note.code_note,
        "day_code": note.day_code,
        "suggested_day_code": note.suggested_day_code,
        "code_changed_reason": note.code_changed_reason,
        "addenda": [
            {"id": a.pk, "author": str(a.author), "text": a.text, "signed_at": a.signed_at}
            for a in note.addenda.all()
        ],
    }
