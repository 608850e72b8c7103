"""Notes pages: the unsigned-notes queue, a progress note (draft, signed, addenda, co-sign,
codes), the group note (one page, one submit), psychotherapy notes and the record download."""

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.notes import selectors, services
from openiop.notes.forms import (
    AddendumForm,
    CodesForm,
    GroupNoteForm,
    NoteForm,
    PsychotherapyNoteForm,
)
from openiop.notes.models import (
    GroupNote,
    NoteKind,
    NoteStatus,
    ProgressNote,
    PsychotherapyNote,
    Supervision,
)
from openiop.notes.serialize import note_payload
from openiop.programs.selectors import get_client_for_user, on_team_or_directs, record_list_read
from openiop.scheduling import roster
from openiop.scheduling.models import GROUP_KINDS, Booking, BookingStatus, Session


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "notes/refused.html", {"message": message}, status=status)


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The notes the user owes (due, overdue), those awaiting their co-sign, and for a
    director the overdue counts per clinician of their programs."""
    user = _user(request)
    if user.role not in selectors.NOTE_WRITER_ROLES:
        raise Http404
    now = timezone.now()
    owed = selectors.note_queue(user, now)
    shown = {i.client.pk for i in owed.items if i.client} | {n.client_id for n in owed.to_cosign}
    record_list_read(user, sorted(shown), object_type="notes_queue")
    context = {
        "queue": owed,
        "overdue_rows": selectors.overdue_by_clinician(user, now),
        "due_hours": selectors.NOTE_DUE_HOURS,
    }
    return render(request, "notes/queue.html", context)


@login_required
@require_POST
def note_start(request: HttpRequest) -> HttpResponse:
    """Open (or create) the draft of one client's note of one session."""
    user = _user(request)
    session_id, client_id = request.POST.get("session", ""), request.POST.get("client", "")
    if not (session_id.isdigit() and client_id.isdigit()):
        raise Http404
    session = roster.get_session_for_attendance(user, int(session_id))
    client = roster.client_for_attendance(user, session, int(client_id))
    template = request.POST.get("template", "dap")
    try:
        note = services.note_start(session=session, client=client, actor=user, template=template)
    except PermissionDenied as refused:
        return _refused(request, str(refused), 403)
    except ValidationError as refused:
        return _refused(request, _messages_of(refused), 400)
    return redirect("notes:note", note_id=note.pk)


def _note_context(request: HttpRequest, note: ProgressNote, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    facts = (
        note.facts
        if note.is_locked
        else selectors.session_facts(note.session, [note.client_id])[note.client_id]
    )
    context = {
        "note": note,
        "facts": facts,
        "group_note": note.group_note,
        "addenda": list(note.addenda.select_related("author")),
        "is_author": note.author_id == user.pk,
        "may_add_addendum": services.may_add_addendum(user, note),
        "may_cosign": note.status == NoteStatus.AWAITING_COSIGN
        and Supervision.objects.filter(supervisee_id=note.author_id, supervisor=user).exists(),
        "may_change_codes": note.is_locked and note.signed_by_id == user.pk,
        "may_write_private": user.role == Role.CLINICIAN and note.author_id == user.pk,
        "addendum_form": AddendumForm(),
        "codes_form": CodesForm(initial={"code": note.code, "day_code": note.day_code}),
    }
    context.update(extra)
    return context


@login_required
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    """A note: its header facts and sections; while a draft, its author edits and signs it."""
    user = _user(request)
    if not user.is_staff_role:
        raise Http404  # clients read their notes in the record download
    if request.method != "POST":
        note = selectors.read_note_for_user(user, note_id)
        editable = not note.is_locked and note.author_id == user.pk
        # A group entry is written and signed on its group's page, with the others.
        form = NoteForm(note=note) if editable and note.kind != NoteKind.GROUP else None
        return render(request, "notes/note.html", _note_context(request, note, form=form))
    note = selectors.get_note_for_user(user, note_id)
    if note.kind == NoteKind.GROUP and not note.is_locked:
        return redirect("notes:group", session_id=note.session_id)
    form = NoteForm(request.POST, note=note)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                note = services.note_save(
                    note=note,
                    actor=user,
                    sections=form.sections(),
                    template=data.get("template"),
                    client_attended=data["client_attended"] == "yes",
                    duration_minutes=data["duration_minutes"],
                )
                if data.get("action") == "sign":
                    note = services.note_sign(note=note, actor=user)
        except PermissionDenied as refused:
            return _refused(request, str(refused), 403)
        except services.NoteRefused as refused:
            messages.error(request, str(refused))
            return redirect("notes:note", note_id=note.pk)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            if note.is_locked:
                messages.success(request, _signed_message(note))
            else:
                messages.success(request, "Draft saved.")
            return redirect("notes:note", note_id=note.pk)
    note.refresh_from_db()
    context = _note_context(request, note, form=form)
    return render(request, "notes/note.html", context, status=400)


def _signed_message(note: ProgressNote) -> str:
    if note.status == NoteStatus.AWAITING_COSIGN:
        return "Signed. The note now waits for your supervisor's co-sign."
    return "Signed. The note is locked; add an addendum if something must be added."


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = f"section_{name}" if f"section_{name}" in form.fields else name
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_POST
def note_cosign(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _user(request)
    note = selectors.get_note_for_user(user, note_id)
    try:
        services.note_cosign(note=note, actor=user)
    except PermissionDenied as refused:
        return _refused(request, str(refused), 403)
    except services.NoteRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Co-signed.")
    return redirect("notes:note", note_id=note.pk)


@login_required
@require_POST
def note_addendum(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _user(request)
    note = selectors.get_note_for_user(user, note_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.addendum_add(note=note, actor=user, text=form.cleaned_data["text"])
        except PermissionDenied as refused:
            return _refused(request, str(refused), 403)
        except services.NoteRefused as refused:
            messages.error(request, str(refused))
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Addendum added and signed.")
            return redirect("notes:note", note_id=note.pk)
    if not form.errors:
        return redirect("notes:note", note_id=note.pk)
    context = _note_context(request, note, form=None, addendum_form=form)
    return render(request, "notes/note.html", context, status=400)


@login_required
@require_POST
def note_codes(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _user(request)
    note = selectors.get_note_for_user(user, note_id)
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            services.note_codes_change(note=note, actor=user, **form.cleaned_data)
        except PermissionDenied as refused:
            return _refused(request, str(refused), 403)
        except services.NoteRefused as refused:
            messages.error(request, str(refused))
            return redirect("notes:note", note_id=note.pk)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, "Codes changed; the suggestion is kept beside them.")
            return redirect("notes:note", note_id=note.pk)
    context = _note_context(request, note, form=None, codes_form=form)
    return render(request, "notes/note.html", context, status=400)


# The group note ----------------------------------------------------------------------------


@login_required
def group_note(request: HttpRequest, session_id: int) -> HttpResponse:
    """The whole group on one page: the shared summary once, an entry per booked client
    (prefilled from attendance), saved or signed all together in one submit."""
    user = _user(request)
    session = roster.get_session_for_attendance(user, session_id)
    if session.kind not in GROUP_KINDS:
        raise Http404("No such group session.")
    if session.facilitator_id != user.pk:
        return _refused(request, services.NOT_YOURS, 403)
    bookings = list(
        Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "client_id")
    )
    ids = [b.client_id for b in bookings]
    form = GroupNoteForm(request.POST or None, client_ids=ids)
    status = 200
    if request.method == "POST" and form.is_valid():
        sign = form.cleaned_data.get("action") == "sign"
        try:
            saved = services.group_note_save(
                session=session,
                actor=user,
                summary=form.cleaned_data["summary"],
                entries=form.entries(),
                sign=sign,
            )
        except services.NoteRefused as refused:
            messages.error(request, str(refused))
            return redirect("notes:group", session_id=session.pk)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            for warning in saved.warnings:
                messages.warning(request, warning)
            if sign:
                messages.success(request, f"Group note signed: {len(saved.entries)} entries filed.")
                return redirect("notes:queue")
            messages.success(request, "Draft saved.")
            return redirect("notes:group", session_id=session.pk)
    if form.errors:
        status = 400
    return render(
        request,
        "notes/group_note.html",
        _group_context(user, session, bookings, form),
        status=status,
    )


def _group_context(
    user: User, session: Session, bookings: list[Booking], form: GroupNoteForm
) -> dict[str, Any]:
    ids = [b.client_id for b in bookings]
    with transaction.atomic():
        facts = selectors.session_facts(session, ids)
        record_list_read(user, ids, object_type="group_note")
    group = GroupNote.objects.filter(session=session).first()
    existing = {
        n.client_id: n for n in ProgressNote.objects.filter(session=session, client_id__in=ids)
    }
    summary = group.summary if group else ""
    if form.is_bound:
        summary = form.data.get("summary", summary)
    rows = []
    for booking in bookings:
        client = booking.client
        fact = facts[client.pk]
        note = existing.get(client.pk)
        text = note.sections.get("entry", "") if note else ""
        if note is None and fact["attendance"] and not selectors.attended(fact["attendance"]):
            text = services.absence_text(fact["attendance"])
        if form.is_bound:
            text = form.data.get(f"entry_{client.pk}", text)
        errors = form.errors.get(f"entry_{client.pk}") if form.is_bound else None
        rows.append({"client": client, "fact": fact, "text": text, "errors": errors, "note": note})
    return {
        "session": session,
        "group": group,
        "summary": summary,
        "rows": rows,
        "form": form,
        "locked": bool(group and group.is_locked),
        "first_fact": next(iter(facts.values()), None),
    }


# Psychotherapy notes ---------------------------------------------------------------------


def _clinician(request: HttpRequest) -> User:
    user = _user(request)
    if user.role != Role.CLINICIAN:
        raise Http404
    return user


@login_required
@require_GET
def private_list(request: HttpRequest) -> HttpResponse:
    """The clinician's own psychotherapy notes (never anyone else's)."""
    user = _clinician(request)
    notes = list(
        PsychotherapyNote.objects.filter(author=user)
        .select_related("client")
        .order_by("-created_at", "-pk")[:200]
    )
    record_list_read(
        user, sorted({n.client_id for n in notes}), object_type="psychotherapy_note_list"
    )
    return render(request, "notes/private_list.html", {"notes": notes})


@login_required
def private_new(request: HttpRequest) -> HttpResponse:
    user = _clinician(request)
    client_id = request.GET.get("client", "") or request.POST.get("client", "")
    if not client_id.isdigit():
        raise Http404
    client = get_client_for_user(user, int(client_id))
    form = PsychotherapyNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.psychotherapy_note_write(
                author=user, client=client, text=form.cleaned_data["text"]
            )
        except PermissionDenied as refused:
            return _refused(request, str(refused), 403)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Saved. Only you can read this note.")
            return redirect("notes:private", note_id=note.pk)
    context = {"form": form, "client": client, "note": None}
    return render(request, "notes/private_note.html", context, status=400 if form.errors else 200)


@login_required
def private_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _clinician(request)
    note = selectors.get_psychotherapy_note_for_user(user, note_id)
    form = PsychotherapyNoteForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.psychotherapy_note_write(
                author=user, client=note.client, text=form.cleaned_data["text"], note=note
            )
        except (PermissionDenied, ValidationError) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Saved. Only you can read this note.")
            return redirect("notes:private", note_id=note.pk)
    elif request.method != "POST":
        services.psychotherapy_note_read(user=user, note=note)
    context = {"form": form, "client": note.client, "note": note}
    return render(request, "notes/private_note.html", context, status=400 if form.errors else 200)


# The record download ----------------------------------------------------------------------


@login_required
@require_GET
def record_export(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's signed notes as JSON: for the client themselves, or for a release by
    their care team or program director (`?recipient=`). Audited as a disclosure.
    Psychotherapy notes are never part of it."""
    user = _user(request)
    client = get_client_for_user(user, client_id)
    if user.role != Role.CLIENT and not on_team_or_directs(user, client):
        raise Http404("No such client.")
    recipient = " ".join(request.GET.get("recipient", "").split())[:200]
    with transaction.atomic():
        notes = services.notes_for_export(client)
        audit_record(
            actor=user,
            action=Action.EXPORT,
            object_type="progress_note_export",
            object_id=len(notes),
            client_id=client.pk,
            reason=recipient,
        )
    body = {
        "client": client.pk,
        "exported_at": timezone.now().isoformat(),
        "notes": [note_payload(n) for n in notes],
    }
    response = HttpResponse(
        json.dumps(body, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="notes-{client.pk}.json"'
    return response
