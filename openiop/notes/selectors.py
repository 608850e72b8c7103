"""Who may read which note, the facts a note's header shows, and the unsigned-notes queue.

Deny by default. A draft is read by its author alone. A signed note is read by whoever may
see its client (the client, the care team, the program's directors, a break-glass holder),
by its author, and by the author's supervisor. A group note's page shows the shared summary
and only the reader's own clients' entries. Psychotherapy notes are the author's alone.
Everyone else gets a 404, as for a note that does not exist.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.notes.models import (
    GroupNote,
    NoteStatus,
    ProgressNote,
    PsychotherapyNote,
    Supervision,
)
from openiop.programs.models import Client, ProgramStaff
from openiop.programs.selectors import clients_visible_to, programs_directed_by
from openiop.safety.models import ConfirmedLocation
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    GROUP_KINDS,
    Attendance,
    AttendanceStatus,
    Booking,
    BookingStatus,
    Session,
    SessionKind,
    SessionStatus,
)
from openiop.scheduling.services.attendance import attendance_minutes

# A note is due within this many hours of the session's end, overdue after.
NOTE_DUE_HOURS = 24
NOTE_KINDS = (SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.INTAKE)
NOTE_WRITER_ROLES = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)
ABSENT_STATUSES = frozenset(
    {AttendanceStatus.ABSENT, AttendanceStatus.NO_SHOW, AttendanceStatus.EXCUSED}
)


def due_at(session: Session) -> datetime:
    return session.ends_at + timedelta(hours=NOTE_DUE_HOURS)


def supervisor_of(user: User) -> User | None:
    supervision = Supervision.objects.select_related("supervisor").filter(supervisee=user).first()
    return supervision.supervisor if supervision else None


# Reading notes --------------------------------------------------------------------------


def notes_visible_to(user: User) -> QuerySet[ProgressNote]:
    """Every progress note `user` may open (see the module's rule); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return ProgressNote.objects.none()
    signed = Q(signed_at__isnull=False)
    rule = Q(author=user) | (signed & Q(client__in=clients_visible_to(user)))
    if user.role in (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR):
        supervises = Supervision.objects.filter(supervisee=OuterRef("author_id"), supervisor=user)
        rule |= signed & Q(Exists(supervises))
    return ProgressNote.objects.filter(rule)


def get_note_for_user(user: User, note_id: int) -> ProgressNote:
    """The note if `user` may read it; Http404 otherwise. One query."""
    note = (
        notes_visible_to(user)
        .select_related("client", "client__program", "session", "group_note", "author")
        .select_related("signed_by", "cosigner")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


@transaction.atomic
def read_note_for_user(user: User, note_id: int) -> ProgressNote:
    """Like `get_note_for_user`, and record the read in the audit trail."""
    note = get_note_for_user(user, note_id)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="progress_note",
        object_id=note.pk,
        client_id=note.client_id,
    )
    return note


def signed_notes_of(client: Client) -> QuerySet[ProgressNote]:
    """The client's signed notes (signed or awaiting co-sign), newest session first, with
    what a list shows. Never psychotherapy notes: they are another table."""
    return (
        ProgressNote.objects.filter(client=client, signed_at__isnull=False)
        .select_related("session", "group_note", "signed_by", "cosigner")
        .prefetch_related("addenda__author")
        .order_by("-session__starts_at", "-pk")
    )


def get_psychotherapy_note_for_user(user: User, note_id: int) -> PsychotherapyNote:
    """The author's own psychotherapy note; Http404 for anyone else, whatever their role."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such note.")
    note = (
        PsychotherapyNote.objects.select_related("client", "session")
        .filter(pk=note_id, author=user)
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def may_write_psychotherapy_note(user: User, client: Client) -> bool:
    """A clinician who sees the client (care team or break-glass) keeps their own notes."""
    return (
        user.is_active
        and user.role == Role.CLINICIAN
        and clients_visible_to(user).filter(pk=client.pk).exists()
    )


# The header's facts ------------------------------------------------------------------------


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment else ""


def _location_text(location: ConfirmedLocation | None) -> str:
    if location is None:
        return "Not confirmed for this session"
    if location.declined:
        return "The client declined to confirm their location"
    parts = [location.address, location.city, location.region, location.postal_code]
    place = ", ".join(p for p in parts if p)
    return f"{place} ({location.country})" if location.country else place


def session_facts(session: Session, client_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The header of each client's note of `session`, in two queries whatever their number:
    the current attendance records and the locations confirmed for the session. Times are in
    the program's zone."""
    zone = ZoneInfo(session.program.time_zone)
    records = {
        a.client_id: a
        for a in Attendance.objects.filter(
            session=session, client_id__in=client_ids, is_current=True
        )
    }
    locations: dict[int, ConfirmedLocation] = {}
    for location in ConfirmedLocation.objects.filter(
        session=session, client_id__in=client_ids
    ).order_by("confirmed_at", "pk"):
        locations[location.client_id] = location  # the latest wins
    start = session.starts_at.astimezone(zone)
    facts = {}
    for client_id in client_ids:
        record = records.get(client_id)
        facts[client_id] = {
            "date": start.date().isoformat(),
            "starts": start.strftime("%H:%M"),
            "ends": _local(session.ends_at, zone),
            "zone": session.program.time_zone,
            "session_minutes": int(session.duration.total_seconds() // 60),
            "attendance": record.status if record else "",
            "attendance_label": (
                AttendanceStatus(record.status).label if record else "Not recorded"
            ),
            "attended_minutes": attendance_minutes(record, session) if record else 0,
            "joined": _local(record.joined_at, zone) if record else "",
            "left": _local(record.left_at, zone) if record else "",
            "location": _location_text(locations.get(client_id)),
            "measures": [],
        }
    _add_measures(session, facts)
    return facts


def _add_measures(session: Session, facts: dict[int, dict[str, Any]]) -> None:
    """Measures completed since each client's last signed note (optional: the measures app
    fills this in when it is installed; see `openiop.notes.measures_link`)."""
    from openiop.notes.measures_link import measures_since_last_note

    for client_id, lines in measures_since_last_note(session, list(facts)).items():
        facts[client_id]["measures"] = lines


def attended(status: str) -> bool:
    return status in ATTENDED_STATUSES


# The unsigned-notes queue ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A session still needing a note from the user (an individual client's, or a group's)."""

    session: Session
    client: Client | None  # None: the group note of the whole session
    draft_id: int | None
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    to_cosign: list[ProgressNote]

    @property
    def due(self) -> list[QueueItem]:
        return [item for item in self.items if not item.overdue]

    @property
    def overdue(self) -> list[QueueItem]:
        return [item for item in self.items if item.overdue]


def _locked_note(session_ref: str = "session_id", client_ref: str = "client_id") -> Exists:
    return Exists(
        ProgressNote.objects.filter(
            session_id=OuterRef(session_ref),
            client_id=OuterRef(client_ref),
            signed_at__isnull=False,
        )
    )


def _missing_individual(now: datetime) -> QuerySet[Booking]:
    """Booked seats of ended individual, family and intake sessions without a signed note."""
    return Booking.objects.filter(
        status=BookingStatus.BOOKED,
        session__kind__in=NOTE_KINDS,
        session__status=SessionStatus.SCHEDULED,
        session__ends_at__lte=now,
    ).exclude(_locked_note())


def _missing_group(now: datetime) -> QuerySet[Session]:
    """Ended group and skills sessions with someone booked and no signed group note."""
    booked = Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.BOOKED)
    signed = GroupNote.objects.filter(session=OuterRef("pk"), signed_at__isnull=False)
    return (
        Session.objects.filter(
            kind__in=GROUP_KINDS, status=SessionStatus.SCHEDULED, ends_at__lte=now
        )
        .filter(Exists(booked))
        .exclude(Exists(signed))
    )


def note_queue(user: User, now: datetime) -> Queue:
    """The notes `user` owes, due (within NOTE_DUE_HOURS of the session's end) and overdue,
    oldest first, and the notes awaiting their co-sign. Three queries whatever the number:
    the seats of their individual sessions without a signed note (with any draft), their
    group sessions without a signed group note (with any draft), and the co-sign list."""
    if not user.is_authenticated or user.role not in NOTE_WRITER_ROLES:
        return Queue([], [])
    draft = ProgressNote.objects.filter(
        session_id=OuterRef("session_id"), client_id=OuterRef("client_id"), author=user
    )
    seats = (
        _missing_individual(now)
        .filter(session__facilitator=user)
        .select_related("session", "session__program", "client")
        .annotate(draft_id=Subquery(draft.values("pk")[:1]))
        .order_by("session__ends_at", "session_id", "client__last_name", "pk")
    )
    group_draft = GroupNote.objects.filter(session=OuterRef("pk"))
    groups = (
        _missing_group(now)
        .filter(facilitator=user)
        .select_related("program", "track")
        .annotate(draft_id=Subquery(group_draft.values("pk")[:1]))
        .order_by("ends_at", "pk")
    )
    items = [
        QueueItem(s.session, s.client, s.draft_id, due_at(s.session), due_at(s.session) <= now)  # type: ignore[attr-defined]
        for s in seats
    ] + [QueueItem(g, None, g.draft_id, due_at(g), due_at(g) <= now) for g in groups]  # type: ignore[attr-defined]
    items.sort(key=lambda item: (item.due_at, item.session.pk))
    to_cosign = list(
        ProgressNote.objects.filter(
            status=NoteStatus.AWAITING_COSIGN,
            author__supervision__supervisor=user,
        )
        .select_related("client", "session", "author")
        .order_by("signed_at", "pk")
    )
    return Queue(items, to_cosign)


@dataclass(frozen=True)
class OverdueRow:
    name: str
    overdue: int


def overdue_by_clinician(user: User, now: datetime) -> list[OverdueRow]:
    """For a director: overdue notes per facilitator of their programs' sessions, most first.
    Two queries whatever the number of sessions (individual seats, group sessions)."""
    if user.role != Role.DIRECTOR:
        return []
    programs = programs_directed_by(user)
    cutoff = now - timedelta(hours=NOTE_DUE_HOURS)
    totals: dict[int, list[Any]] = {}
    seats = (
        _missing_individual(cutoff)
        .filter(session__program__in=programs)
        .order_by()
        .values(
            who=F("session__facilitator_id"),
            n1=F("session__facilitator__display_name"),
            n2=F("session__facilitator__email"),
        )
        .annotate(n=Count("pk"))
    )
    groups = (
        _missing_group(cutoff)
        .filter(program__in=programs)
        .order_by()
        .values(
            who=F("facilitator_id"), n1=F("facilitator__display_name"), n2=F("facilitator__email")
        )
        .annotate(n=Count("pk"))
    )
    for row in [*seats, *groups]:
        entry = totals.setdefault(row["who"], [row["n1"] or row["n2"], 0])
        entry[1] += row["n"]
    rows = [OverdueRow(name, count) for name, count in totals.values()]
    return sorted(rows, key=lambda row: (-row.overdue, row.name))


def directs_program_of(user: User, session: Session) -> bool:
    return (
        user.role == Role.DIRECTOR
        and ProgramStaff.objects.filter(program_id=session.program_id, user=user).exists()
    )
