"""Who may take a session's attendance, and the roster they take it from.

The session's facilitator and the directors of its program see every booked client; a
clinician or facilitator on a booked client's care team sees only the clients on their own
caseload (a group's other members are not their business). Anyone else gets a 404, as for a
session that does not exist.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.http import Http404

from openiop.accounts.models import Role, User
from openiop.programs.models import CareTeamMember, Client, ProgramStaff
from openiop.programs.selectors import get_client_for_user
from openiop.scheduling.models import Attendance, Booking, BookingStatus, Session


def _on_team(user: User) -> Exists:
    return Exists(CareTeamMember.objects.filter(client=OuterRef("client_id"), user=user))


def get_session_for_attendance(user: User, session_id: int) -> Session:
    """The session if `user` may take its attendance, with `sees_all` set (facilitator or
    director: every booked client, not only their own); Http404 otherwise. One query."""
    if not user.is_authenticated or not user.is_active or not user.is_staff_role:
        raise Http404("No such session.")
    directs: Exists | Value = Value(False, output_field=BooleanField())
    if user.role == Role.DIRECTOR:
        directs = Exists(ProgramStaff.objects.filter(program=OuterRef("program_id"), user=user))
    team_booked = Exists(
        Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.BOOKED).filter(
            _on_team(user)
        )
    )
    session = (
        Session.objects.select_related("program", "track")
        .annotate(directs=directs)
        .filter(Q(pk=session_id) & (Q(facilitator=user) | Q(directs=True) | team_booked))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    session.sees_all = session.facilitator_id == user.pk or session.directs  # type: ignore[attr-defined]
    return session


def roster_bookings(user: User, session: Session) -> list[Booking]:
    """The booked seats `user` sees on `session`'s roster, the client joined, by name."""
    bookings = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
    if not getattr(session, "sees_all", False):
        bookings = bookings.filter(_on_team(user))
    return list(
        bookings.select_related("client").order_by(
            "client__last_name", "client__first_name", "client_id"
        )
    )


def client_for_attendance(user: User, session: Session, client_id: int) -> Client:
    """The client whose attendance `user` records on `session`: one on their roster, or one
    they may see who is not booked (the service then refuses: not booked); else Http404."""
    for booking in Booking.objects.filter(
        session=session, status=BookingStatus.BOOKED, client_id=client_id
    ).select_related("client"):
        if (
            getattr(session, "sees_all", False)
            or CareTeamMember.objects.filter(client_id=client_id, user=user).exists()
        ):
            return booking.client
    return get_client_for_user(user, client_id)


@dataclass
class RosterRow:
    """One booked client: the current record (if any) and the earlier ones it corrected."""

    booking: Booking
    current: Attendance | None = None
    # Superseded records, oldest first, each with the reason it was corrected.
    history: list[tuple[Attendance, str]] = field(default_factory=list)

    @property
    def client(self) -> Client:
        return self.booking.client

    @property
    def corrected(self) -> bool:
        return bool(self.history)


def roster(user: User, session: Session) -> list[RosterRow]:
    """The roster in two queries whatever its size: the booked seats with their clients, and
    every attendance record of the session with who recorded it."""
    rows = [RosterRow(b) for b in roster_bookings(user, session)]
    by_client = {row.client.pk: row for row in rows}
    records = list(
        Attendance.objects.filter(session=session, client_id__in=list(by_client))
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    )
    why = {r.supersedes_id: r.correction_reason for r in records if r.supersedes_id}
    for record in records:
        row = by_client[record.client_id]
        if record.is_current:
            row.current = record
        else:
            row.history.append((record, why.get(record.pk, "")))
    return rows
