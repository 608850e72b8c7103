"""Shared by the enrollment, program board and program API tests.

The `world` personas have clients but no enrollments; `open_enrollments` gives Maple two
tracks and Birch one, and opens a `referred` enrollment for Alex and for Blair.
"""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import (
    CareTeamMember,
    Enrollment,
    EnrollmentTransition,
    Phase,
    Program,
    Track,
)
from openiop.programs.services import enrollment_open, enrollment_set_track, enrollment_transition
from openiop.programs.services.programs import track_create

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

# The shortest path from `referred` to each phase.
PATHS: dict[str, list[Phase]] = {
    Phase.REFERRED: [],
    Phase.INTAKE: [Phase.INTAKE],
    Phase.ACTIVE: [Phase.INTAKE, Phase.ACTIVE],
    Phase.STEP_DOWN: [Phase.INTAKE, Phase.ACTIVE, Phase.STEP_DOWN],
    Phase.DISCHARGED: [Phase.INTAKE, Phase.ACTIVE, Phase.DISCHARGED],
    Phase.AFTERCARE: [Phase.INTAKE, Phase.ACTIVE, Phase.DISCHARGED, Phase.AFTERCARE],
    Phase.DECLINED: [Phase.DECLINED],
    Phase.WITHDRAWN: [Phase.WITHDRAWN],
}


@dataclass
class Enrolled:
    world: World
    alex: Enrollment  # referred; Casey is Alex's primary clinician
    blair: Enrollment  # referred; Quinn is Blair's primary clinician
    evenings: Track  # Maple, evening
    mornings: Track  # Maple, morning
    birch_track: Track  # the other program's


def open_enrollments(world: World) -> Enrolled:
    evenings = track_create(
        program=world.program,
        name="Adult mood — evenings",
        schedule_label="evening",
        capacity=2,
        actor=None,
    )
    mornings = track_create(
        program=world.program,
        name="Young adult trauma — mornings",
        schedule_label="morning",
        population="adults 18–25",
        trauma_focused=True,
        actor=None,
    )
    birch_track = track_create(
        program=world.other_program, name="Teen skills", schedule_label="afternoon", actor=None
    )
    return Enrolled(
        world=world,
        alex=enrollment_open(client=world.alex, program=world.program, actor=None),
        blair=enrollment_open(client=world.blair, program=world.program, actor=None),
        evenings=evenings,
        mornings=mornings,
        birch_track=birch_track,
    )


def drive_to(enrollment: Enrollment, phase: str, *, track: Track, actor: User) -> Enrollment:
    """Move `enrollment` from referred to `phase` along the allowed path (assigning `track`
    before activation); the client must already have a primary clinician."""
    for step in PATHS[phase]:
        if step == Phase.ACTIVE and enrollment.track_id is None:
            enrollment_set_track(enrollment=enrollment, track=track, actor=actor)
        enrollment_transition(enrollment=enrollment, to_phase=step, reason="test", actor=actor)
        enrollment.refresh_from_db()
    return enrollment


def snapshot() -> tuple[object, ...]:
    """What a refused request must leave as it was: every enrollment's phase and track, the
    phase history, the care teams, the programs and tracks, and the audit trail."""
    return (
        list(Enrollment.objects.order_by("pk").values_list("pk", "phase", "track_id")),
        EnrollmentTransition.objects.count(),
        list(CareTeamMember.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(Program.objects.order_by("pk").values()),
        list(Track.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def persona(world: World, name: str) -> User:
    if name in ("alex", "blair"):
        return getattr(world, name).user
    return getattr(world, name)


def api_headers(user: User) -> dict[str, str]:
    """A bearer token straight from the service (issuing it writes its own audit event, so
    take snapshots after this)."""
    raw, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


def api_post(client: HttpClient, headers: dict[str, str], url: str, body: Any) -> "Response":
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def api_put(client: HttpClient, headers: dict[str, str], url: str, body: Any) -> "Response":
    data = json.dumps(body)
    return client.put(url, data=data, content_type="application/json", headers=headers)
