"""Programs, tracks and enrollment phases over the JSON API.

POST /programs and POST /programs/{id}/tracks are for program directors and site admins;
POST /enrollments/{id}/transitions and PUT /enrollments/{id}/track for the program's
directors and the client's clinicians.
A role that may never do it gets 403; an enrollment the caller may not see, 404 (as for one
that does not exist); a move the phase rules refuse, 409.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, field_validator

from openiop.accounts.api import Detail, Text, ValidationDetail
from openiop.accounts.models import Role, User
from openiop.programs import selectors, services
from openiop.programs.models import (
    Enrollment,
    EnrollmentTransition,
    LevelOfCare,
    Phase,
    Program,
    ScheduleLabel,
    Track,
)
from openiop.programs.selectors import NOT_ALLOWED_PROGRAMS
from openiop.programs.services.programs import DUPLICATE

router = Router(tags=["programs"])

_ERRORS = {401: Detail, 403: Detail, 404: Detail, 409: Detail, 422: ValidationDetail | Detail}


class ProgramIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    time_zone: Text = Field(max_length=64, examples=["America/Chicago"])
    level_of_care: LevelOfCare
    min_weekly_hours: Decimal | None = Field(
        default=None, description="Defaults to the level of care's: 9 (adults), 6, 20 (PHP)."
    )


class ProgramOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    level_of_care: str
    min_weekly_hours: float
    step_down_weekly_hours: float
    max_group_size: int
    billable_day_min_hours: float
    on_call_phone: str
    dial_in_phone: str


class TrackIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    schedule_label: ScheduleLabel
    population: Text = Field(default="", max_length=100)
    capacity: int = 12
    trauma_focused: bool = False


class TrackOut(Schema):
    id: int
    program: int
    name: str
    schedule_label: str
    population: str
    capacity: int
    trauma_focused: bool
    is_active: bool


class TransitionIn(Schema):
    to_phase: Phase
    reason: Text = Field(max_length=500, description="Why; kept in the phase history.")

    @field_validator("reason")
    @classmethod
    def _say_why(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the phase changes")
        return value.strip()


class TransitionOut(Schema):
    from_phase: str
    to_phase: str
    reason: str
    actor: int | None
    at: datetime


class EnrollmentOut(Schema):
    id: int
    client: int
    program: int
    track: int | None
    phase: str
    phase_changed_at: datetime
    required_weekly_hours: float


class EnrollmentMovedOut(EnrollmentOut):
    transition: TransitionOut


class TrackAssignIn(Schema):
    track: int


def _program_out(program: Program) -> dict[str, object]:
    return {
        "id": program.pk,
        "name": program.name,
        "slug": program.slug,
        "time_zone": program.time_zone,
        "level_of_care": program.level_of_care,
        "min_weekly_hours": program.min_weekly_hours,
        # The effective figure: the stored one, or half the weekly minimum when blank.
        "step_down_weekly_hours": program.step_down_hours,
        "max_group_size": program.max_group_size,
        "billable_day_min_hours": program.billable_day_min_hours,
        "on_call_phone": program.on_call_phone,
        "dial_in_phone": program.dial_in_phone,
    }


def _track_out(track: Track) -> dict[str, object]:
    return {
        "id": track.pk,
        "program": track.program_id,
        "name": track.name,
        "schedule_label": track.schedule_label,
        "population": track.population,
        "capacity": track.capacity,
        "trauma_focused": track.trauma_focused,
        "is_active": track.is_active,
    }


def _enrollment_out(enrollment: Enrollment) -> dict[str, object]:
    return {
        "id": enrollment.pk,
        "client": enrollment.client_id,
        "program": enrollment.program_id,
        "track": enrollment.track_id,
        "phase": enrollment.phase,
        "phase_changed_at": enrollment.phase_changed_at,
        "required_weekly_hours": enrollment.required_weekly_hours,
    }


def _moved_out(transition: EnrollmentTransition) -> dict[str, object]:
    return {
        **_enrollment_out(transition.enrollment),
        "transition": {
            "from_phase": transition.from_phase,
            "to_phase": transition.to_phase,
            "reason": transition.reason,
            "actor": transition.actor_id,
            "at": transition.at,
        },
    }


def _enrollment_for(actor: User, enrollment_id: int) -> Enrollment:
    try:
        return selectors.enrollment_for_phase_change(actor, enrollment_id)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from None


def _refusal(error: ValidationError) -> HttpError:
    """A name already taken conflicts with what exists (409); any other refusal is bad input
    (422). The message names each field to fix."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    codes = {e.code for errors in by_field.values() for one in errors for e in one.error_list}
    text = " ".join(
        ("" if field == NON_FIELD_ERRORS else f"{field}: ") + " ".join(ValidationError(e).messages)
        for field, e in by_field.items()
    )
    return HttpError(409 if DUPLICATE in codes else 422, text)


@router.post("/programs", response={201: ProgramOut, **_ERRORS})
def program_create(request: HttpRequest, body: ProgramIn) -> Status[dict[str, object]]:
    """A new program (directors and site admins); the slug is made from the name. A director
    who creates a program joins its staff."""
    actor: User = request.user  # type: ignore[assignment]
    if actor.role not in (Role.DIRECTOR, Role.ADMIN):
        raise HttpError(403, NOT_ALLOWED_PROGRAMS)
    try:
        program = services.program_create(
            name=body.name,
            time_zone=body.time_zone,
            level_of_care=body.level_of_care,
            min_weekly_hours=body.min_weekly_hours,
            actor=actor,
        )
    except ValidationError as error:
        raise _refusal(error) from None
    return Status(201, _program_out(program))


@router.post("/programs/{program_id}/tracks", response={201: TrackOut, **_ERRORS})
def track_create(request: HttpRequest, program_id: int, body: TrackIn) -> Status[dict[str, object]]:
    """A new track of a program the caller directs (site admins: any program)."""
    actor: User = request.user  # type: ignore[assignment]
    try:
        program = selectors.program_for_setup(actor, program_id)
    except PermissionDenied as refusal:
        raise HttpError(403, str(refusal)) from None
    try:
        track = services.track_create(program=program, actor=actor, **body.model_dump())
    except ValidationError as error:
        raise _refusal(error) from None
    return Status(201, _track_out(track))


@router.post(
    "/enrollments/{enrollment_id}/transitions", response={200: EnrollmentMovedOut, **_ERRORS}
)
def enrollment_transition(
    request: HttpRequest, enrollment_id: int, body: TransitionIn
) -> Status[dict[str, object]]:
    """Move an enrollment to the next phase, recording who, when and why. Phases: referred →
    intake → active ⇄ step_down → discharged → aftercare, and declined or withdrawn from
    referred or intake. Any other move, or activating without a track and a primary
    clinician, is 409 with what to fix."""
    actor: User = request.user  # type: ignore[assignment]
    enrollment = _enrollment_for(actor, enrollment_id)
    try:
        transition = services.enrollment_transition(
            enrollment=enrollment, to_phase=body.to_phase, reason=body.reason, actor=actor
        )
    except services.TransitionNotAllowed as refusal:
        raise HttpError(409, str(refusal)) from None
    except ValidationError as error:
        raise _refusal(error) from None
    return Status(200, _moved_out(transition))


@router.put("/enrollments/{enrollment_id}/track", response={200: EnrollmentOut, **_ERRORS})
def enrollment_track(
    request: HttpRequest, enrollment_id: int, body: TrackAssignIn
) -> Status[dict[str, object]]:
    """Place an open enrollment in one of its program's active tracks (needed before it can
    become active). Same callers as the transitions."""
    actor: User = request.user  # type: ignore[assignment]
    enrollment = _enrollment_for(actor, enrollment_id)
    track = Track.objects.filter(pk=body.track).first()
    if track is None:
        raise HttpError(422, "track: No such track.")
    try:
        services.enrollment_set_track(enrollment=enrollment, track=track, actor=actor)
    except ValidationError as error:
        raise _refusal(error) from None
    enrollment.refresh_from_db()
    return Status(200, _enrollment_out(enrollment))
