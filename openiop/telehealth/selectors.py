"""Who may enter a session's video room, and what the room shows them.

Deny by default. A session's room is open to:
- its booked clients (booking `booked`; waitlisted or cancelled seats are not enough);
- its facilitator;
- the directors on the staff of its program;
- the clinicians and facilitators on the care team of at least one of its booked clients
  (the same people who may take its attendance, `scheduling.roster`);
- for a family session only, a family member whose active consent from a booked client
  shares the schedule (`resources.family.family_join_consent`); like a client they go
  through pre-join (without the location step) and wait to be admitted. The check runs on
  every request, so a revoked or expired consent shuts the door at once.
Everyone else — other clients, staff of other programs, compliance, admins, other family —
gets a 404, as for a session that does not exist.

Inside the room every member of staff may admit, mute, remove and lock; a client's confirmed
location is shown to the facilitator and the directors for every client, and to a care-team
member only for the clients on their own caseload (as on the roster).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from openiop.accounts.models import Role, User
from openiop.programs.models import Client
from openiop.programs.selectors import clients_visible_to
from openiop.resources.family import family_join_consent
from openiop.safety.models import ConfirmedLocation
from openiop.scheduling import roster
from openiop.scheduling.models import Booking, BookingStatus, Session
from openiop.telehealth.models import Participant, ParticipantState, Room

# A participant whose room page has not been heard from for this long shows "reconnecting".
STALE_AFTER = timedelta(seconds=12)


def session_for_join(user: User, session_id: int) -> Session:
    """The session if `user` may enter its room, with `is_staff_member`, `sees_all`, (for a
    client) `client` and (for a family member) `family_consent` set; Http404 otherwise.
    One or two queries."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such session.")
    if user.role == Role.FAMILY:
        session = Session.objects.select_related("program", "track").filter(pk=session_id).first()
        consent = family_join_consent(user, session) if session is not None else None
        if session is None or consent is None:
            raise Http404("No such session.")
        session.is_staff_member = False  # type: ignore[attr-defined]
        session.sees_all = False  # type: ignore[attr-defined]
        session.client = None  # type: ignore[attr-defined]
        session.family_consent = consent  # type: ignore[attr-defined]
        return session
    if user.role == Role.CLIENT:
        session = (
            Session.objects.select_related("program", "track")
            .filter(
                pk=session_id,
                bookings__client__user=user,
                bookings__status=BookingStatus.BOOKED,
            )
            .first()
        )
        if session is None:
            raise Http404("No such session.")
        session.is_staff_member = False  # type: ignore[attr-defined]
        session.sees_all = False  # type: ignore[attr-defined]
        session.client = Client.objects.get(user=user)  # type: ignore[attr-defined]
        session.family_consent = None  # type: ignore[attr-defined]
        return session
    if user.role not in (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR):
        raise Http404("No such session.")
    session = roster.get_session_for_attendance(user, session_id)
    session.is_staff_member = True  # type: ignore[attr-defined]
    session.client = None  # type: ignore[attr-defined]
    session.family_consent = None  # type: ignore[attr-defined]
    return session


def room_of(session: Session) -> Room | None:
    return Room.objects.filter(session=session).first()


def participant_of(session: Session, user: User) -> Participant | None:
    return Participant.objects.filter(session=session, user=user).first()


def booked_clients(session: Session) -> QuerySet[Client]:
    return Client.objects.filter(
        bookings__session=session, bookings__status=BookingStatus.BOOKED
    ).select_related("user")


@dataclass(frozen=True)
class RosterEntry:
    """One person on the staff's side panel: waiting or in the room."""

    user_id: int
    name: str
    is_staff: bool
    state: str
    reconnecting: bool
    hand_raised: bool
    mode: str
    rtt_ms: int | None
    throughput_kbps: int | None
    camera_ok: bool | None
    private: bool | None
    wants_message: bool
    location: str  # "" when not shown to this viewer
    crisis_url: str  # the client's crisis panel for this session; "" when the viewer may not

    def as_json(self) -> dict[str, object]:
        return self.__dict__.copy()


def display_name(user: User, client: Client | None) -> str:
    """What others in the room see: a client's first (or preferred) name, staff's name, a
    family member's name marked as family."""
    if client is not None:
        return client.preferred_name or client.first_name
    if user.role == Role.FAMILY:
        return f"{user.display_name or 'Guest'} (family)"
    return user.display_name or "Staff"


def _location_text(location: ConfirmedLocation | None) -> str:
    if location is None:
        return "Not given yet"
    if location.declined:
        return "Declined to say"
    parts = [location.address, location.city, location.region, location.postal_code]
    text = ", ".join(part for part in parts if part)
    return f"{text} ({location.country})" if location.country else text


def room_roster(viewer: User, session: Session, now: datetime) -> list[RosterEntry]:
    """Everyone waiting or in the room, for staff; with check results and, where this viewer
    may see it, the location confirmed for this session and a link to the client's crisis
    panel (for those whose record the viewer may open). Five queries whatever the size."""
    participants = list(
        Participant.objects.filter(
            session=session, state__in=[ParticipantState.WAITING, ParticipantState.ADMITTED]
        )
        .select_related("user")
        .order_by("is_staff", "pk")
    )
    clients = {c.user_id: c for c in booked_clients(session)}
    if getattr(session, "sees_all", False):
        visible = set(clients)
    else:
        visible = {b.client.user_id for b in roster.roster_bookings(viewer, session)}
    records = set(
        clients_visible_to(viewer)
        .filter(pk__in=[c.pk for c in clients.values()])
        .values_list("pk", flat=True)
    )
    latest: dict[int, ConfirmedLocation] = {}
    for location in ConfirmedLocation.objects.filter(session=session).order_by(
        "-confirmed_at", "-pk"
    ):
        latest.setdefault(location.client_id, location)
    entries = []
    for p in participants:
        client = clients.get(p.user_id)
        stale = p.last_seen is None or p.last_seen < now - STALE_AFTER
        shown = crisis_url = ""
        if client is not None and p.user_id in visible:
            shown = _location_text(latest.get(client.pk))
        if client is not None and client.pk in records:
            crisis_url = reverse("safety:crisis_panel", args=[client.pk]) + f"?session={session.pk}"
        entries.append(
            RosterEntry(
                user_id=p.user_id,
                name=display_name(p.user, client),
                is_staff=p.is_staff,
                state=p.state,
                reconnecting=p.state == ParticipantState.ADMITTED and (p.reconnecting or stale),
                hand_raised=p.hand_raised,
                mode=p.mode,
                rtt_ms=p.rtt_ms,
                throughput_kbps=p.throughput_kbps,
                camera_ok=p.camera_ok,
                private=p.private,
                wants_message=p.wants_message,
                location=shown,
                crisis_url=crisis_url,
            )
        )
    return entries


def is_booked(session: Session, client: Client) -> bool:
    return Booking.objects.filter(
        session=session, client=client, status=BookingStatus.BOOKED
    ).exists()
