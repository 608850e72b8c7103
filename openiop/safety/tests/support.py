"""Helpers for the safety tests: fixed instants in Maple's zone (America/Chicago), shifts,
and raising an alert the way measures does (inside the transaction of its cause)."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from openiop.accounts.models import User
from openiop.accounts.services import user_create
from openiop.conftest import PASSWORD, World
from openiop.programs.services import program_staff_add
from openiop.safety.models import Alert, OnCallShift
from openiop.safety.services import alert_raise

CHICAGO = ZoneInfo("America/Chicago")
# Wednesday 2 December 2026: 10:00 is inside business hours, 20:00 outside.
WORKING = datetime(2026, 12, 2, 10, 0, tzinfo=CHICAGO)
EVENING = datetime(2026, 12, 2, 20, 0, tzinfo=CHICAGO)

Capture = Callable[..., AbstractContextManager[Any]]


def clinician(world: World, name: str) -> User:
    user = user_create(
        email=f"{name.lower()}@example.test",
        role="clinician",
        password=PASSWORD,
        display_name=f"{name} Oncall",
    )
    program_staff_add(program=world.program, user=user)
    return user


def shift(
    world: World, primary: User, backup: User | None, start: datetime, end: datetime
) -> OnCallShift:
    return OnCallShift.objects.create(
        program=world.program, starts_at=start, ends_at=end, primary=primary, backup=backup
    )


def raise_measure_alert(
    world: World, capture: Capture, *, severity: str = "high", reason: str = "PHQ-9 item 9: 2"
) -> Alert:
    """What measures does for a PHQ-9 item 9 answer: alert_raise in the response's
    transaction; the routing job runs when it commits."""
    with capture(execute=True), transaction.atomic():
        return alert_raise(
            client=world.alex,
            severity=severity,
            source="measure",
            reason=reason,
            source_ref="measures.response:1",
            raised_by=world.alex.user,
        )
