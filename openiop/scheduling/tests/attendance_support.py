"""Sessions and bookings made directly as rows, for the attendance, hours, roster and feed
tests (the booking and series services are tested on their own)."""

from datetime import datetime, timedelta

from openiop.accounts.models import User
from openiop.programs.models import Client, Enrollment, Phase, Program
from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind


def make_session(
    program: Program,
    facilitator: User,
    starts_at: datetime,
    *,
    minutes: int = 180,
    kind: str = SessionKind.GROUP,
    status: str = "scheduled",
) -> Session:
    return Session.objects.create(
        program=program,
        kind=kind,
        facilitator=facilitator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=12 if kind in (SessionKind.GROUP, SessionKind.SKILLS) else None,
        status=status,
    )


def book(session: Session, *clients: Client, status: str = BookingStatus.BOOKED) -> None:
    Booking.objects.bulk_create(
        [Booking(session=session, client=client, status=status) for client in clients]
    )


def enroll(client: Client, phase: str = Phase.ACTIVE) -> Enrollment:
    """An open enrollment straight into `phase` (the phase services are tested in programs)."""
    return Enrollment.objects.create(client=client, program=client.program, phase=phase)
