"""Enrollment phases: open an episode of care and move it only along the allowed paths."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import (
    ALLOWED_TRANSITIONS,
    OPEN_PHASES,
    CareTeamRole,
    Client,
    Enrollment,
    EnrollmentTransition,
    Phase,
    Program,
    Track,
)


class TransitionNotAllowed(Exception):
    """The move breaks the phase rules or a precondition; nothing was written (API: 409)."""


@transaction.atomic
def enrollment_open(
    *,
    client: Client,
    program: Program,
    actor: User | None,
    reason: str = "referral received",
    track: Track | None = None,
) -> Enrollment:
    """A new enrollment in phase `referred`, with its first transition recorded."""
    if track is not None and track.program_id != program.pk:
        raise ValidationError({"track": "That track belongs to another program."})
    if Enrollment.objects.filter(client=client, phase__in=OPEN_PHASES).exists():
        raise TransitionNotAllowed("This client already has an open enrollment.")
    now = timezone.now()
    enrollment = Enrollment.objects.create(
        client=client,
        program=program,
        track=track,
        phase=Phase.REFERRED,
        phase_changed_at=now,
        referred_at=now,
    )
    EnrollmentTransition.objects.create(
        enrollment=enrollment,
        from_phase="",
        to_phase=Phase.REFERRED,
        reason=reason[:500],
        actor=actor,
        at=now,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="enrollment",
        object_id=enrollment.pk,
        client_id=client.pk,
    )
    return enrollment


def activation_problems(enrollment: Enrollment) -> list[str]:
    """What stops this enrollment from becoming active, in words a person can act on."""
    problems = []
    if enrollment.track_id is None:
        problems.append("Assign a track before activating.")
    if not enrollment.client.care_team.filter(role=CareTeamRole.PRIMARY).exists():
        problems.append("Assign a primary clinician to the care team before activating.")
    return problems


@transaction.atomic
def enrollment_transition(
    *, enrollment: Enrollment, to_phase: Phase | str, reason: str, actor: User | None
) -> EnrollmentTransition:
    """Move the enrollment to `to_phase`, recording who, when and why.

    Raises TransitionNotAllowed for a move the phase rules do not list, or one whose
    preconditions are unmet (activation needs a track and a primary clinician).
    """
    # Lock the row so two people moving the same enrollment cannot both succeed.
    enrollment = (
        Enrollment.objects.select_for_update().select_related("client").get(pk=enrollment.pk)
    )
    try:
        target = Phase(to_phase)
    except ValueError:
        raise ValidationError({"to_phase": f"Unknown phase {to_phase!r}."}) from None
    if not enrollment.can_move_to(target):
        allowed = ", ".join(sorted(p for p in _allowed(enrollment))) or "none"
        raise TransitionNotAllowed(
            f"An enrollment in phase {enrollment.phase} cannot move to {target}. "
            f"Allowed next phases: {allowed}."
        )
    if target == Phase.ACTIVE:
        problems = activation_problems(enrollment)
        if problems:
            raise TransitionNotAllowed(" ".join(problems))
    now = timezone.now()
    from_phase = enrollment.phase
    enrollment.phase = target
    enrollment.phase_changed_at = now
    update = ["phase", "phase_changed_at"]
    if target == Phase.ACTIVE and enrollment.admitted_at is None:
        enrollment.admitted_at = now
        update.append("admitted_at")
    if target == Phase.DISCHARGED:
        enrollment.discharged_at = now
        update.append("discharged_at")
    enrollment.save(update_fields=update)
    transition = EnrollmentTransition.objects.create(
        enrollment=enrollment,
        from_phase=from_phase,
        to_phase=target,
        reason=reason.strip()[:500],
        actor=actor,
        at=now,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="enrollment",
        object_id=enrollment.pk,
        client_id=enrollment.client_id,
    )
    return transition


def _allowed(enrollment: Enrollment) -> list[str]:
    return list(ALLOWED_TRANSITIONS[enrollment.phase])


@transaction.atomic
def enrollment_set_track(*, enrollment: Enrollment, track: Track, actor: User | None) -> None:
    """Put an open enrollment in one of its program's active tracks."""
    if track.program_id != enrollment.program_id:
        raise ValidationError({"track": "That track belongs to another program."})
    if not track.is_active:
        raise ValidationError({"track": "That track is retired; choose an active track."})
    if enrollment.phase not in OPEN_PHASES:
        raise ValidationError(
            f"This enrollment is {enrollment.get_phase_display().lower()}; "
            "the track of a closed episode cannot change."
        )
    if enrollment.track_id == track.pk:
        return
    enrollment.track = track
    enrollment.save(update_fields=["track"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="enrollment",
        object_id=enrollment.pk,
        client_id=enrollment.client_id,
    )
