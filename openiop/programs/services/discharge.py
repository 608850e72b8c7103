"""Discharge: the summary for the next provider, drafted, signed once, then exported.

Signing the summary and discharging the enrollment are one act and one transaction: if the
phase move is refused, nothing is signed, and a signed summary never belongs to an
enrollment that is still open. Once signed the summary is locked. Each export is a
disclosure and is audited as one, with who it was sent to.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs import selectors
from openiop.programs.discharge_pdf import render_discharge_pdf
from openiop.programs.models import (
    Client,
    DischargeReason,
    DischargeSummary,
    Enrollment,
    Phase,
)
from openiop.programs.services.enrollment import enrollment_transition

EDITABLE_FIELDS = (
    "reason",
    "progress",
    "recommendations",
    "aftercare_appointments",
    "aftercare_referrals",
)
TEXT_LIMIT = 20_000  # characters per free-text field: several pages of the letter
_DRAFTABLE_PHASES = (Phase.ACTIVE, Phase.STEP_DOWN, Phase.DISCHARGED)
_OBJECT_TYPE = "discharge_summary"


class DischargeRefused(Exception):
    """The summary cannot be changed, signed or exported in its present state (HTTP 409)."""


def sign_problems(summary: DischargeSummary) -> dict[str, str]:
    """What must be filled in before `summary` can be signed, by field."""
    problems = {}
    if summary.reason not in DischargeReason.values:
        problems["reason"] = "Choose the reason for discharge."
    if not (summary.recommendations.strip() or _has_aftercare(summary)):
        problems["recommendations"] = (
            "Write recommendations or aftercare appointments or referrals for the next provider."
        )
    return problems


@transaction.atomic
def discharge_summary_draft(
    *, enrollment: Enrollment, actor: User, **fields: str
) -> DischargeSummary:
    """Create or update the draft summary of `enrollment` with the given text `fields`.

    The facts (dates, attended hours) are recomputed on every save, so a draft written days
    before the discharge carries the discharge day. Fields not passed keep their value.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a discharge summary field: {', '.join(sorted(unknown))}")
    cleaned = _clean(fields)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    client = Client.objects.get(pk=enrollment.client_id)
    _require_writer(actor, client)
    summary = DischargeSummary.objects.select_for_update().filter(enrollment=enrollment).first()
    if summary is not None and summary.is_signed:
        raise DischargeRefused("This discharge summary is signed and locked; it cannot change.")
    if enrollment.phase not in _DRAFTABLE_PHASES:
        raise DischargeRefused(
            f"An enrollment in phase {enrollment.get_phase_display().lower()} cannot be "
            "discharged; only an active or step-down enrollment can."
        )
    created = summary is None
    if summary is None:
        summary = DischargeSummary(enrollment=enrollment, created_by=actor, reason="")
    for name, value in cleaned.items():
        setattr(summary, name, value)
    _apply_facts(summary, enrollment)
    summary.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        object_type=_OBJECT_TYPE,
        object_id=summary.pk,
        client_id=client.pk,
    )
    return summary


@transaction.atomic
def discharge_summary_sign(*, summary: DischargeSummary, actor: User) -> DischargeSummary:
    """Sign the summary and discharge its enrollment, in one transaction.

    Raises PermissionDenied unless `actor` is a clinician in the primary or clinician seat of
    the care team, ValidationError when the reason or every recommendation/aftercare field is
    missing, DischargeRefused when already signed, and TransitionNotAllowed when the phase
    rules refuse the discharge; in each case nothing is written.
    """
    summary = DischargeSummary.objects.select_for_update().get(pk=summary.pk)
    enrollment = Enrollment.objects.select_related("client").get(pk=summary.enrollment_id)
    _require_writer(actor, enrollment.client)
    if summary.is_signed:
        raise DischargeRefused("This discharge summary is already signed.")
    problems = sign_problems(summary)
    if problems:
        raise ValidationError(problems)
    if enrollment.phase != Phase.DISCHARGED:
        enrollment_transition(
            enrollment=enrollment,
            to_phase=Phase.DISCHARGED,
            reason=DischargeReason(summary.reason).label,
            actor=actor,
        )
        enrollment.refresh_from_db()
    _apply_facts(summary, enrollment)
    summary.signed_by = actor
    summary.signed_at = timezone.now()
    summary.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type=_OBJECT_TYPE,
        object_id=summary.pk,
        client_id=enrollment.client_id,
        reason="signed",
    )
    return summary


@transaction.atomic
def discharge_summary_export(
    *, summary: DischargeSummary, actor: User, recipient: str = ""
) -> bytes:
    """The signed summary as a PDF, recorded as a disclosure to `recipient`."""
    enrollment = Enrollment.objects.select_related("client").get(pk=summary.enrollment_id)
    if not selectors.may_view_discharge(actor, enrollment.client):
        raise PermissionDenied("You may not export this client's discharge summary.")
    if not summary.is_signed:
        raise DischargeRefused("Only a signed discharge summary can be exported. Sign it first.")
    document = render_discharge_pdf(summary)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type=_OBJECT_TYPE,
        object_id=summary.pk,
        client_id=enrollment.client_id,
        reason=" ".join(recipient.split()),
    )
    return document


def _require_writer(actor: User, client: Client) -> None:
    if not selectors.may_write_discharge(actor, client):
        raise PermissionDenied(
            "Only a clinician on the client's care team (primary or clinician) may write or "
            "sign the discharge summary."
        )


def _clean(fields: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    errors = {}
    for name, value in fields.items():
        text = str(value).replace("\x00", "").strip()
        if name == "reason" and text and text not in DischargeReason.values:
            errors[name] = "Choose one of the listed reasons."
        elif len(text) > TEXT_LIMIT:
            errors[name] = f"Keep this to {TEXT_LIMIT:,} characters or fewer."
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply_facts(summary: DischargeSummary, enrollment: Enrollment) -> None:
    facts = selectors.discharge_facts(enrollment)
    summary.admission_date = facts.admission_date
    summary.discharge_date = facts.discharge_date
    summary.attended_hours = facts.attended_hours


def _has_aftercare(summary: DischargeSummary) -> bool:
    return bool(summary.aftercare_appointments.strip() or summary.aftercare_referrals.strip())
