"""Sessions, bookings and attendance for the notes tests, made directly (the scheduling
services are tested on their own)."""

from datetime import datetime, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.programs.models import Client
from openiop.programs.services import care_team_add, client_create
from openiop.scheduling.models import Session, SessionKind
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.tests.attendance_support import book, make_session


def past_session(
    world: World,
    *,
    kind: str = SessionKind.INDIVIDUAL,
    minutes: int = 50,
    facilitator: User | None = None,
    ended_ago: timedelta = timedelta(hours=1),
    clients: tuple[Client, ...] = (),
    now: datetime | None = None,
) -> Session:
    """A session of `world.program` that ended `ended_ago` before now, with `clients` booked
    (Alex by default); Casey runs individual kinds, Fran groups."""
    now = now or timezone.now()
    lead = facilitator or (
        world.fran if kind in (SessionKind.GROUP, SessionKind.SKILLS) else world.casey
    )
    start = now.replace(microsecond=0) - ended_ago - timedelta(minutes=minutes)
    session = make_session(world.program, lead, start, minutes=minutes, kind=kind)
    book(session, *(clients or (world.alex,)))
    return session


def attend(
    session: Session,
    client: Client,
    status: str = "present",
    *,
    minutes: int | None = None,
    actor: User | None = None,
) -> None:
    """Record attendance; `minutes` present means joined at the start and left after that."""
    left = session.starts_at + timedelta(minutes=minutes) if minutes is not None else None
    attendance_record(
        session=session,
        client=client,
        status=status if minutes is None else "left_early",
        joined_at=None,
        left_at=left,
        source="roster",
        actor=actor or session.facilitator,
    )


def group_members(world: World, count: int, *, prefix: str = "m") -> list[Client]:
    """`count` named clients of Maple with Fran on their care team."""
    members = []
    for i in range(count):
        client = client_create(
            program=world.program,
            email=f"{prefix}{i}@example.test",
            first_name=f"Member{chr(65 + i % 26)}{i}",
            last_name=f"Groupie{i}",
            date_of_birth=None,
            time_zone="America/Chicago",
        )
        care_team_add(client=client, user=world.fran, role="facilitator", actor=None)
        members.append(client)
    return members
