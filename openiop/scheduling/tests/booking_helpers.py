"""Helpers for the booking tests: sessions made directly as rows, enrollments opened."""

from datetime import datetime, timedelta

from openiop.accounts.models import User
from openiop.programs.models import Client, Program, Track
from openiop.programs.services import enrollment_open, track_create
from openiop.scheduling.models import Session, SessionKind


def enrolled(*clients: Client) -> None:
    for client in clients:
        enrollment_open(client=client, program=client.program, actor=None)


def track(program: Program, name: str, label: str = "evening") -> Track:
    return track_create(program=program, name=name, schedule_label=label, actor=None)


def session(
    program: Program,
    facilitator: User,
    starts_at: datetime,
    *,
    kind: str = SessionKind.GROUP,
    minutes: int = 90,
    capacity: int | None = None,
    track: Track | None = None,
    status: str = "scheduled",
    reason: str = "",
) -> Session:
    return Session.objects.create(
        program=program,
        facilitator=facilitator,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
        track=track,
        status=status,
        status_reason=reason,
    )
