"""Writing notes: drafts, signing (one transaction with its billing codes and audit event),
co-sign, addenda, code changes, group notes, psychotherapy notes.

Refusals: `PermissionDenied` when the session or note is not the caller's to write,
`ValidationError` for bad input (an empty section, attendance contradicted), `NoteRefused`
when the note's state forbids it (signed and locked). In every case nothing is written.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record, audit_record_many
from openiop.notes import billing
from openiop.notes.models import (
    TEMPLATE_SECTIONS,
    Addendum,
    GroupNote,
    NoteKind,
    NoteStatus,
    NoteTemplate,
    ProgressNote,
    PsychotherapyNote,
    Supervision,
)
from openiop.notes.selectors import (
    ABSENT_STATUSES,
    NOTE_KINDS,
    attended,
    may_write_psychotherapy_note,
    session_facts,
    signed_notes_of,
)
from openiop.programs.models import Client
from openiop.scheduling.hours import IsoWeek, weeks_for_clients
from openiop.scheduling.models import (
    GROUP_KINDS,
    Attendance,
    AttendanceStatus,
    Booking,
    BookingStatus,
    Session,
)

TEXT_LIMIT = 20_000
ADDENDUM_LIMIT = 5_000

NOT_YOURS = "This session is not yours: only the clinician who ran it writes its notes."
NOT_AUTHOR = "Only the note's author can change or sign it."
LOCKED = "This note is signed and locked. Add an addendum instead."
GROUP_LOCKED = "This group note is signed and locked. Add an addendum to a client's entry instead."
CANCELLED = "This session was cancelled; there is nothing to document."
NOT_YET = "This session has not started yet; write its note once it has taken place."
NOT_BOOKED = "This client was not booked in this session."
USE_GROUP_NOTE = "A group session is documented with one group note for everyone booked."
NOT_A_GROUP = "Only group and skills sessions have a group note."
ATTENDANCE_SAYS = (
    "Attendance for this session says {status}: the note cannot say the client attended. "
    "If the attendance is wrong, correct it on the roster first."
)
NAMES_IN_SUMMARY = (
    "The shared summary names {names}. It is filed in every client's record: refer to "
    "members without their names, then sign."
)
ATTENDANCE_MISSING = "Record attendance on the roster for {names} before signing."


class NoteRefused(Exception):
    """The note cannot change in its present state (HTTP 409)."""


def _clean_text(value: object, limit: int = TEXT_LIMIT) -> str:
    return str(value or "").replace("\x00", "").strip()[:limit]


def _kind_of(session: Session) -> str:
    return {
        "individual": NoteKind.INDIVIDUAL,
        "family": NoteKind.FAMILY,
        "intake": NoteKind.INTAKE,
    }.get(session.kind, NoteKind.GROUP)


def _check_session(session: Session, actor: User, now: datetime) -> None:
    if session.facilitator_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)
    if session.is_cancelled:
        raise ValidationError(CANCELLED, code="cancelled")
    if now < session.starts_at:
        raise ValidationError(NOT_YET, code="not_started")


def _current_attendance(session: Session, client: Client) -> Attendance | None:
    return Attendance.objects.filter(session=session, client=client, is_current=True).first()


def _check_claim(claims_attended: bool, record: Attendance | None) -> None:
    if claims_attended and record is not None and record.status in ABSENT_STATUSES:
        label = AttendanceStatus(record.status).label.lower()
        raise ValidationError({"client_attended": ATTENDANCE_SAYS.format(status=label)})


# Progress notes (individual, family, intake) ----------------------------------------------


@transaction.atomic
def note_start(
    *,
    session: Session,
    client: Client,
    actor: User,
    template: str = NoteTemplate.DAP,
    now: datetime | None = None,
) -> ProgressNote:
    """The draft of `client`'s note of `session`, created (prefilled from attendance) if it
    does not exist yet. Only the session's facilitator writes it."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("program").get(pk=session.pk)
    _check_session(session, actor, now)
    if session.kind not in NOTE_KINDS:
        raise ValidationError(USE_GROUP_NOTE, code="group")
    if template not in TEMPLATE_SECTIONS or template == NoteTemplate.GROUP:
        raise ValidationError({"template": "Choose DAP, SOAP or BIRP."})
    existing = ProgressNote.objects.filter(session=session, client=client).first()
    if existing is not None:
        if existing.author_id != actor.pk:
            raise PermissionDenied(NOT_AUTHOR)
        return existing
    if not Booking.objects.filter(
        session=session, client=client, status=BookingStatus.BOOKED
    ).exists():
        raise ValidationError(NOT_BOOKED, code="not_booked")
    record = _current_attendance(session, client)
    minutes = int(session.duration.total_seconds() // 60)
    claims = record is None or attended(record.status)
    if record is not None and claims:
        minutes = session_facts(session, [client.pk])[client.pk]["attended_minutes"]
    note = ProgressNote.objects.create(
        client=client,
        session=session,
        kind=_kind_of(session),
        template=template,
        sections={key: "" for key, _l, _h in TEMPLATE_SECTIONS[template]},
        client_attended=claims,
        attendance_status=record.status if record else "",
        duration_minutes=minutes,
        author=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="progress_note",
        object_id=note.pk,
        client_id=client.pk,
    )
    return note


def _lock_draft(note: ProgressNote, actor: User) -> ProgressNote:
    locked = (
        ProgressNote.objects.select_for_update()
        .select_related("session", "session__program", "client")
        .get(pk=note.pk)
    )
    if locked.author_id != actor.pk:
        raise PermissionDenied(NOT_AUTHOR)
    if locked.is_locked:
        raise NoteRefused(LOCKED)
    return locked


@transaction.atomic
def note_save(
    *,
    note: ProgressNote,
    actor: User,
    sections: Mapping[str, object],
    template: str | None = None,
    client_attended: bool | None = None,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> ProgressNote:
    """Save the draft's text (sections of its template), the attendance it states and its
    minutes. A signed note is refused (NoteRefused)."""
    note = _lock_draft(note, actor)
    errors: dict[str, str] = {}
    if template is not None:
        if template not in TEMPLATE_SECTIONS or template == NoteTemplate.GROUP:
            errors["template"] = "Choose DAP, SOAP or BIRP."
        elif note.kind == NoteKind.GROUP:
            errors["template"] = "A group entry keeps the group template."
        else:
            note.template = template
    keys = [key for key, _l, _h in TEMPLATE_SECTIONS.get(note.template, [])]
    text = {key: _clean_text(sections.get(key, note.sections.get(key, ""))) for key in keys}
    for key in keys:
        if len(str(sections.get(key, ""))) > TEXT_LIMIT:
            errors[key] = f"Keep this to {TEXT_LIMIT:,} characters or fewer."
    if duration_minutes is not None:
        if not 0 <= duration_minutes <= 24 * 60:
            errors["duration_minutes"] = "Give the minutes spent with the client (0 to 1440)."
        else:
            note.duration_minutes = duration_minutes
    if client_attended is not None:
        note.client_attended = client_attended
    if errors:
        raise ValidationError(errors)
    record = _current_attendance(note.session, note.client)
    _check_claim(note.client_attended, record)
    note.attendance_status = record.status if record else ""
    note.sections = text
    note.updated_at = now or timezone.now()
    note.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="progress_note",
        object_id=note.pk,
        client_id=note.client_id,
    )
    return note


def empty_sections(note: ProgressNote) -> dict[str, str]:
    """The sections still blank, by key: a note is signed only when every one is written."""
    return {
        key: f"Write the {label.lower()} section before signing."
        for key, label, _hint, text in note.section_list
        if not text.strip()
    }


def _day_minutes_met(client: Client, session: Session, day_already: bool) -> str:
    zone = ZoneInfo(session.program.time_zone)
    day = session.starts_at.astimezone(zone).date()
    week = weeks_for_clients(session.program, [client], IsoWeek.of(day))[client.pk]
    hours = next(d.attended_hours for d in week.days if d.day == day)
    return billing.suggest_day_code(
        hours, session.program.billable_day_min_hours, already=day_already
    )


def _day_code_taken(client_ids: list[int], day: date, exclude_session: int) -> set[int]:
    """Clients who already have S9480 on another signed note of that day."""
    return set(
        ProgressNote.objects.filter(
            client_id__in=client_ids,
            service_date=day,
            day_code=billing.IOP_DAY_CODE,
            signed_at__isnull=False,
        )
        .exclude(session_id=exclude_session)
        .values_list("client_id", flat=True)
    )


def _signed_status(actor: User) -> str:
    supervised = Supervision.objects.filter(supervisee=actor).exists()
    return NoteStatus.AWAITING_COSIGN if supervised else NoteStatus.SIGNED


@transaction.atomic
def note_sign(*, note: ProgressNote, actor: User, now: datetime | None = None) -> ProgressNote:
    """Sign the draft: every section written, the attendance it states not contradicted;
    the header's facts are frozen and the billing codes suggested. A supervised clinician's
    note waits for the supervisor's co-sign."""
    now = now or timezone.now()
    note = _lock_draft(note, actor)
    if note.kind == NoteKind.GROUP:
        raise ValidationError("A group entry is signed with its group note.", code="group")
    problems = empty_sections(note)
    if problems:
        raise ValidationError(problems)
    record = _current_attendance(note.session, note.client)
    _check_claim(note.client_attended, record)
    session = note.session
    facts = session_facts(session, [note.client_id])[note.client_id]
    zone = ZoneInfo(session.program.time_zone)
    day = session.starts_at.astimezone(zone).date()
    suggestion = billing.suggest_code(
        note.kind, note.duration_minutes, client_attended=note.client_attended
    )
    taken = _day_code_taken([note.client_id], day, session.pk)
    day_code = ""
    if note.client_attended:
        day_code = _day_minutes_met(note.client, session, note.client_id in taken)
    note.attendance_status = record.status if record else ""
    note.facts = facts
    note.service_date = day
    note.suggested_code = note.code = suggestion.code
    note.code_note = suggestion.reason
    note.suggested_day_code = note.day_code = day_code
    note.status = _signed_status(actor)
    note.signed_by = actor
    note.signed_at = now
    note.updated_at = now
    note.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="progress_note",
        object_id=note.pk,
        client_id=note.client_id,
        reason="signed",
    )
    return note


@transaction.atomic
def note_cosign(*, note: ProgressNote, actor: User, now: datetime | None = None) -> ProgressNote:
    """The supervisor's co-sign makes the supervisee's signed note final."""
    now = now or timezone.now()
    note = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if not Supervision.objects.filter(supervisee_id=note.author_id, supervisor=actor).exists():
        raise PermissionDenied("Only the author's supervisor can co-sign this note.")
    if note.status != NoteStatus.AWAITING_COSIGN:
        raise NoteRefused("This note is not waiting for a co-sign.")
    # Only the co-sign columns change: the signed content stays as it was (and the database
    # refuses anything else on a signed row).
    ProgressNote.objects.filter(pk=note.pk).update(
        status=NoteStatus.SIGNED, cosigner=actor, cosigned_at=now
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="progress_note",
        object_id=note.pk,
        client_id=note.client_id,
        reason="co-signed",
    )
    note.refresh_from_db()
    return note


def may_add_addendum(user: User, note: ProgressNote) -> bool:
    if not note.is_locked or not user.is_active:
        return False
    if user.pk in (note.author_id, note.cosigner_id):
        return True
    return Supervision.objects.filter(supervisee_id=note.author_id, supervisor=user).exists()


@transaction.atomic
def addendum_add(
    *, note: ProgressNote, actor: User, text: str, now: datetime | None = None
) -> Addendum:
    """Append signed, timestamped text to a signed note (its author or their supervisor)."""
    note = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if not note.is_locked:
        raise NoteRefused("This note is still a draft: edit it instead of adding an addendum.")
    if not may_add_addendum(actor, note):
        raise PermissionDenied("Only the note's author or their supervisor can add an addendum.")
    text = _clean_text(text, ADDENDUM_LIMIT + 1)
    if not text:
        raise ValidationError({"text": "Write the addendum first."})
    if len(text) > ADDENDUM_LIMIT:
        raise ValidationError({"text": f"Keep an addendum to {ADDENDUM_LIMIT:,} characters."})
    addendum = Addendum.objects.create(
        note=note, author=actor, text=text, signed_at=now or timezone.now()
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="note_addendum",
        object_id=addendum.pk,
        client_id=note.client_id,
    )
    return addendum


@transaction.atomic
def note_codes_change(
    *,
    note: ProgressNote,
    actor: User,
    code: str,
    day_code: str,
    reason: str,
    now: datetime | None = None,
) -> ProgressNote:
    """The signer settles the billing codes, with the reason; the suggestion is kept."""
    note = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if not note.is_locked:
        raise NoteRefused("Codes are set when the note is signed.")
    if note.signed_by_id != actor.pk:
        raise PermissionDenied("Only the clinician who signed the note can change its codes.")
    errors = {}
    code, day_code, reason = code.strip().upper(), day_code.strip().upper(), reason.strip()
    if code and code not in billing.KNOWN_CODES:
        errors["code"] = "Choose one of the listed codes, or none."
    if day_code not in ("", billing.IOP_DAY_CODE):
        errors["day_code"] = f"The day code is {billing.IOP_DAY_CODE} or none."
    if not reason:
        errors["reason"] = "Say why the codes differ from the suggestion."
    if errors:
        raise ValidationError(errors)
    ProgressNote.objects.filter(pk=note.pk).update(
        code=code,
        day_code=day_code,
        code_changed_reason=reason[:300],
        code_changed_at=now or timezone.now(),
    )
    # The reason may be clinical: it stays on the note, the audit names only the change.
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="note_billing_codes",
        object_id=note.pk,
        client_id=note.client_id,
    )
    note.refresh_from_db()
    return note


# Group notes ---------------------------------------------------------------------------------


def absence_text(status: str) -> str:
    label = AttendanceStatus(status).label.lower() if status else "not recorded"
    return f"Did not attend this group ({label}). No participation to document."


def names_in(text: str, clients: list[Client]) -> list[str]:
    """The booked clients' names (first, preferred or last, whole words) found in `text`."""
    found = []
    for client in clients:
        names = {client.first_name, client.preferred_name, client.last_name}
        for name in sorted(n for n in names if len(n.strip()) >= 2):
            if re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text, re.IGNORECASE):
                found.append(name.strip())
    return sorted(set(found))


@dataclass
class GroupSave:
    group_note: GroupNote
    entries: list[ProgressNote]
    signed: bool
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def group_note_save(
    *,
    session: Session,
    actor: User,
    summary: str,
    entries: Mapping[int, str],
    sign: bool = False,
    now: datetime | None = None,
) -> GroupSave:
    """Save (and with `sign`, sign) the group note of `session` in one transaction: the
    shared summary once and one entry per booked client, whatever the group's size in a
    fixed number of queries (rows written in bulk, audit events in one call).

    `entries` maps client id to entry text; a booked client left out keeps their entry (or
    gets the prefilled one). Signing refuses an empty summary or entry, a summary naming a
    booked client, and a client without attendance; nothing is written then."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("program").get(pk=session.pk)
    _check_session(session, actor, now)
    if session.kind not in GROUP_KINDS:
        raise ValidationError(NOT_A_GROUP, code="not_group")
    bookings = list(
        Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "client_id")
    )
    clients = [b.client for b in bookings]
    by_id = {c.pk: c for c in clients}
    unknown = set(entries) - set(by_id)
    if unknown:
        raise ValidationError(NOT_BOOKED, code="not_booked")
    summary = _clean_text(summary)
    group = GroupNote.objects.select_for_update().filter(session=session).first()
    if group is not None and group.is_locked:
        raise NoteRefused(GROUP_LOCKED)
    facts = session_facts(session, list(by_id))  # attendance and locations: two queries
    existing = {
        n.client_id: n
        for n in ProgressNote.objects.filter(session=session, client_id__in=list(by_id))
    }
    warnings = []
    named = names_in(summary, clients)
    if named:
        warnings.append(NAMES_IN_SUMMARY.format(names=", ".join(named)))
    texts = {}
    for client in clients:
        status = facts[client.pk]["attendance"]
        current = existing.get(client.pk)
        default = "" if (not status or attended(status)) else absence_text(status)
        given = entries.get(client.pk)
        text = _clean_text(given) if given is not None else None
        if text is None:
            text = current.sections.get("entry", "") if current else default
        texts[client.pk] = text
    if sign:
        _check_group_sign(summary, named, clients, facts, texts)
    status = _signed_status(actor) if sign else NoteStatus.DRAFT
    day = session.starts_at.astimezone(ZoneInfo(session.program.time_zone)).date()
    codes: dict[int, tuple[billing.Suggestion, str]] = {}
    if sign:
        codes = _group_codes(session, clients, facts, day)
    if group is None:
        group = GroupNote(session=session, author=actor, created_at=now)
    group.summary = summary
    group.updated_at = now
    if sign:
        group.status = NoteStatus.SIGNED
        group.signed_at = now
    group.save()  # one INSERT or one UPDATE
    new, changed = [], []
    for client in clients:
        note = existing.get(client.pk)
        if note is not None and note.author_id != actor.pk:
            raise PermissionDenied(NOT_AUTHOR)
        fact = facts[client.pk]
        if note is None:
            note = ProgressNote(
                client=client,
                session=session,
                kind=NoteKind.GROUP,
                template=NoteTemplate.GROUP,
                author=actor,
                created_at=now,
            )
            new.append(note)
        else:
            changed.append(note)
        note.group_note = group
        note.sections = {"entry": texts[client.pk]}
        note.attendance_status = fact["attendance"]
        note.client_attended = attended(fact["attendance"])
        note.duration_minutes = fact["attended_minutes"]
        note.updated_at = now
        if sign:
            suggestion, day_code = codes[client.pk]
            note.facts = fact
            note.service_date = day
            note.suggested_code = note.code = suggestion.code
            note.code_note = suggestion.reason
            note.suggested_day_code = note.day_code = day_code
            note.status = status
            note.signed_by = actor
            note.signed_at = now
    if new:
        ProgressNote.objects.bulk_create(new)
    if changed:
        ProgressNote.objects.bulk_update(changed, _GROUP_ENTRY_FIELDS)
    audit_record_many(
        actor=actor,
        action=Action.UPDATE if (changed or sign) else Action.CREATE,
        object_type="progress_note",
        entries=[(n.client_id, n.pk) for n in [*new, *changed]],
        reason=f"group note {group.pk} signed" if sign else f"group note {group.pk}",
    )
    ordered = sorted([*new, *changed], key=lambda n: [c.pk for c in clients].index(n.client_id))
    return GroupSave(group, ordered, sign, warnings)


_GROUP_ENTRY_FIELDS = [
    "group_note",
    "sections",
    "attendance_status",
    "client_attended",
    "duration_minutes",
    "updated_at",
    "facts",
    "service_date",
    "suggested_code",
    "code",
    "code_note",
    "suggested_day_code",
    "day_code",
    "status",
    "signed_by",
    "signed_at",
]


def _check_group_sign(
    summary: str,
    named: list[str],
    clients: list[Client],
    facts: dict[int, dict[str, object]],
    texts: dict[int, str],
) -> None:
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = "Write the shared summary before signing."
    elif named:
        errors["summary"] = NAMES_IN_SUMMARY.format(names=", ".join(named))
    missing = [c.full_name for c in clients if not facts[c.pk]["attendance"]]
    if missing:
        errors["__all__"] = ATTENDANCE_MISSING.format(names=", ".join(missing))
    for client in clients:
        if not texts[client.pk].strip():
            errors[f"entry_{client.pk}"] = f"Write an entry for {client.full_name}."
    if not clients:
        errors["__all__"] = "Nobody is booked in this session: there is nothing to sign."
    if errors:
        raise ValidationError(errors)


def _group_codes(
    session: Session, clients: list[Client], facts: dict[int, dict[str, object]], day: date
) -> dict[int, tuple[billing.Suggestion, str]]:
    """Each attendee's codes in a fixed number of queries: the week's attended hours of all
    of them (three) and who already has the day's code on another note (one)."""
    week = weeks_for_clients(session.program, clients, IsoWeek.of(day))
    taken = _day_code_taken([c.pk for c in clients], day, session.pk)
    minimum = session.program.billable_day_min_hours
    result = {}
    for client in clients:
        came = attended(str(facts[client.pk]["attendance"]))
        suggestion = billing.suggest_code(NoteKind.GROUP, 0, client_attended=came)
        hours = next(d.attended_hours for d in week[client.pk].days if d.day == day)
        day_code = (
            billing.suggest_day_code(hours, minimum, already=client.pk in taken) if came else ""
        )
        result[client.pk] = (suggestion, day_code)
    return result


# Psychotherapy notes -----------------------------------------------------------------------


@transaction.atomic
def psychotherapy_note_write(
    *,
    author: User,
    client: Client,
    text: str,
    note: PsychotherapyNote | None = None,
    session: Session | None = None,
    now: datetime | None = None,
) -> PsychotherapyNote:
    """Create or update the author's own psychotherapy note. Audited by type and id only."""
    now = now or timezone.now()
    if author.role != Role.CLINICIAN or not may_write_psychotherapy_note(author, client):
        raise PermissionDenied("Only a clinician on the client's care team keeps these notes.")
    text = _clean_text(text, TEXT_LIMIT + 1)
    if not text:
        raise ValidationError({"text": "Write the note first."})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": f"Keep this to {TEXT_LIMIT:,} characters or fewer."})
    if note is None:
        note = PsychotherapyNote.objects.create(
            author=author, client=client, session=session, text=text, created_at=now, updated_at=now
        )
        action = Action.CREATE
    else:
        if note.author_id != author.pk or note.client_id != client.pk:
            raise PermissionDenied("Only the author can change this note.")
        PsychotherapyNote.objects.filter(pk=note.pk).update(text=text, updated_at=now)
        note.refresh_from_db()
        action = Action.UPDATE
    audit_record(
        actor=author,
        action=action,
        object_type="psychotherapy_note",
        object_id=note.pk,
        client_id=client.pk,
    )
    return note


@transaction.atomic
def psychotherapy_note_read(*, user: User, note: PsychotherapyNote) -> PsychotherapyNote:
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="psychotherapy_note",
        object_id=note.pk,
        client_id=note.client_id,
    )
    return note


def notes_for_export(client: Client) -> list[ProgressNote]:
    """What the record download holds: the client's signed progress notes (group entries
    with the shared summary) and their addenda. Psychotherapy notes are another table and
    are never read here."""
    return list(signed_notes_of(client))
