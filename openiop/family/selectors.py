"""What a family member sees of a client: only through an active consent naming the scope.

Every function here takes the consent that allowed the read (from
`openiop.resources.family.consent_for`, which raises 404 without one) and records the read
in the audit trail against that consent, in the same transaction.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.notes.models import NoteKind, NoteStatus, ProgressNote
from openiop.resources.family import active_consents, consent_for, consent_reason
from openiop.resources.models import FamilyConsent, FamilyScope
from openiop.scheduling.models import Attendance, Booking, BookingStatus, Session, SessionKind

SCHEDULE_PAST = timedelta(days=1)
SCHEDULE_FUTURE = timedelta(days=28)
ATTENDANCE_PAST = timedelta(days=30)


def audit_family_read(user: User, consent: FamilyConsent, object_type: str) -> None:
    """One read event naming the consent that allowed it (ids only)."""
    audit_record(
        actor=user,
        action=Action.READ,
        object_type=object_type,
        object_id=consent.pk,
        client_id=consent.client_id,
        reason=consent_reason(consent),
    )


@transaction.atomic
def read_consent(user: User, client_id: int, scope: str | None, object_type: str) -> FamilyConsent:
    """The consent letting `user` see `scope` of the client (Http404 without one), with the
    read recorded against it."""
    consent = consent_for(user, client_id, scope)
    audit_family_read(user, consent, object_type)
    return consent


@dataclass(frozen=True)
class FamilySession:
    """One session as a family member sees it: when, what kind, where; nothing clinical."""

    session: Session
    local_start: datetime
    local_end: datetime
    is_family: bool  # a family session: the family member is invited to join
    joinable: bool = False  # an online family session whose room is open now

    @property
    def place(self) -> str:
        location = self.session.in_person_location
        return location.address if location else "Online"

    @property
    def online(self) -> bool:
        return self.session.in_person_location_id is None


def client_schedule(consent: FamilyConsent, now: datetime, zone: ZoneInfo) -> list[FamilySession]:
    """The client's booked sessions from yesterday to four weeks ahead (one query)."""
    booked = Booking.objects.filter(client_id=consent.client_id, status=BookingStatus.BOOKED)
    sessions = (
        Session.objects.filter(
            pk__in=booked.values("session_id"),
            starts_at__gte=now - SCHEDULE_PAST,
            starts_at__lt=now + SCHEDULE_FUTURE,
        )
        .select_related("in_person_location")
        .order_by("starts_at", "pk")
    )
    return [_family_session(s, now, zone) for s in sessions]


def _family_session(session: Session, now: datetime, zone: ZoneInfo) -> FamilySession:
    return FamilySession(
        session=session,
        local_start=session.starts_at.astimezone(zone),
        local_end=session.ends_at.astimezone(zone),
        is_family=session.kind == SessionKind.FAMILY,
        joinable=_joinable(session, now),
    )


def _joinable(session: Session, now: datetime) -> bool:
    return (
        session.kind == SessionKind.FAMILY
        and session.in_person_location_id is None
        and session.is_joinable(now)
    )


def family_sessions_open_now(
    user: User, shares: list[FamilyConsent], now: datetime, zone: ZoneInfo
) -> list[FamilySession]:
    """Online family sessions whose room is open now (15 minutes before the start to the
    end), for the clients among `shares` (the user's active consents) sharing their schedule.
    Each shown session's read is recorded against its consent. One query, plus the audit
    when something is shown."""
    consents = {c.client_id: c for c in shares if c.share_schedule}
    if not consents:
        return []
    bookings = (
        Booking.objects.filter(
            client_id__in=consents,
            status=BookingStatus.BOOKED,
            session__kind=SessionKind.FAMILY,
            session__in_person_location__isnull=True,
            session__starts_at__lte=now + timedelta(minutes=15),
            session__ends_at__gt=now,
        )
        .select_related("session")
        .order_by("session__starts_at", "pk")
    )
    shown: dict[int, FamilySession] = {}
    allowed_by: list[FamilyConsent] = []
    for booking in bookings:
        session = booking.session
        if session.pk in shown or not _joinable(session, now):
            continue
        allowed_by.append(consents[booking.client_id])
        shown[session.pk] = _family_session(session, now, zone)
    if allowed_by:
        with transaction.atomic():
            for consent in allowed_by:
                audit_family_read(user, consent, "family_schedule")
    return list(shown.values())


@dataclass(frozen=True)
class FamilyAttendance:
    local_start: datetime
    kind: str
    status: str


def client_attendance(
    consent: FamilyConsent, now: datetime, zone: ZoneInfo
) -> list[FamilyAttendance]:
    """The client's current attendance records of the last 30 days (one query)."""
    records = (
        Attendance.objects.filter(
            client_id=consent.client_id,
            is_current=True,
            session__starts_at__gte=now - ATTENDANCE_PAST,
            session__starts_at__lt=now,
        )
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
    return [
        FamilyAttendance(
            local_start=r.session.starts_at.astimezone(zone),
            kind=r.session.get_kind_display(),
            status=r.get_status_display(),
        )
        for r in records
    ]


def family_session_notes(consent: FamilyConsent) -> list[ProgressNote]:
    """The client's signed notes of family sessions, newest first, with their addenda (two
    queries). Drafts, notes awaiting co-signature, notes of any other kind of session, the
    session facts (which hold the client's confirmed location), billing codes and
    psychotherapy notes (another table) are never part of it."""
    return list(
        ProgressNote.objects.filter(
            client_id=consent.client_id,
            kind=NoteKind.FAMILY,
            session__kind=SessionKind.FAMILY,
            status=NoteStatus.SIGNED,  # not while it awaits a supervisor's co-signature
        )
        .select_related("session", "signed_by")
        .prefetch_related("addenda")
        .order_by("-session__starts_at", "-pk")[:100]
    )


def active_shares(user: User) -> list[FamilyConsent]:
    """The family user's active consents with their clients (one query)."""
    return list(active_consents(user).select_related("client").order_by("client__first_name", "pk"))


SCOPE_PAGES = {
    FamilyScope.SCHEDULE: "family:schedule",
    FamilyScope.ATTENDANCE: "family:attendance",
    FamilyScope.FAMILY_NOTES: "family:family_notes",
    FamilyScope.SAFETY_PLAN: "family:safety_plan",
}


def now_and_zone(user: User) -> tuple[datetime, ZoneInfo]:
    return timezone.now(), ZoneInfo(user.time_zone or "UTC")
