"""Pieces of other apps' pages: the staff home's notes counts, the client record's notes."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from openiop.accounts.models import Role
from openiop.notes.selectors import (
    NOTE_WRITER_ROLES,
    note_queue,
    overdue_by_clinician,
    signed_notes_of,
)
from openiop.programs.models import Client


def staff_home_panel(request: HttpRequest, subject: object) -> str | None:
    """Due and overdue counts (a director: overdue across their programs). Three queries for
    a clinician or facilitator, two for a director."""
    user = request.user
    if not user.is_authenticated or user.role not in NOTE_WRITER_ROLES:  # type: ignore[union-attr]
        return None
    now = timezone.now()
    if user.role == Role.DIRECTOR:  # type: ignore[union-attr]
        rows = overdue_by_clinician(user, now)  # type: ignore[arg-type]
        context = {"overdue_rows": rows, "overdue_total": sum(r.overdue for r in rows)}
    else:
        queue = note_queue(user, now)  # type: ignore[arg-type]
        context = {
            "overdue_rows": None,
            "overdue": len(queue.overdue),
            "due": len(queue.due),
            "to_cosign": len(queue.to_cosign),
        }
    return render_to_string("notes/_staff_home.html", context, request=request)


def client_record_panel(request: HttpRequest, client: Client | None) -> str | None:
    """The client's signed notes, one query (a group note shows as the client's own entry;
    the entry's page holds the shared summary and that entry only)."""
    user = request.user
    if client is None or not user.is_authenticated or user.role == Role.CLIENT:  # type: ignore[union-attr]
        return None
    notes = list(signed_notes_of(client).prefetch_related(None))
    return render_to_string(
        "notes/_client_record.html", {"client": client, "notes": notes}, request=request
    )


def client_home_panel(request: HttpRequest, client: Client | None) -> str | None:
    """A link to the client's own download of their signed notes (no queries)."""
    user = request.user
    if client is None or getattr(user, "role", None) != Role.CLIENT:
        return None
    return render_to_string("notes/_client_home.html", {"client": client}, request=request)
