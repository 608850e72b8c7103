"""Safety write workflows. Each is one transaction with its audit event (ids only)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client, EmergencyContact, Program
from openiop.programs.selectors import primary_clinician
from openiop.safety import delivery
from openiop.safety.models import (
    Alert,
    AlertOutcome,
    AlertRouting,
    AlertSource,
    AlertState,
    ChecklistStep,
    ChecklistTick,
    ConfirmedLocation,
    EmergencyResource,
    OnCallShift,
    SafetyPlan,
    Severity,
    StaffHours,
)
from openiop.scheduling.models import Session

# Called with each new alert inside the raising transaction (routing and escalation jobs).
_on_alert: list[Callable[[Alert], None]] = []


def on_alert_raised(hook: Callable[[Alert], None]) -> None:
    if hook not in _on_alert:
        _on_alert.append(hook)


def alert_raise(
    *,
    client: Client,
    severity: str,
    source: str,
    reason: str,
    source_ref: str = "",
    raised_by: Any = None,
) -> Alert:
    """Open a risk alert in the caller's transaction (the cause and the alert commit together).

    Measures, check-ins, the help button and clinicians all come through here.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("alert_raise must run inside the transaction that records its cause")
    if severity not in Severity.values:
        raise ValidationError(f"Unknown severity {severity!r}.")
    if source not in AlertSource.values:
        raise ValidationError(f"Unknown alert source {source!r}.")
    alert = Alert.objects.create(
        client=client,
        severity=severity,
        source=source,
        reason=reason[:300],
        source_ref=source_ref,
        raised_by=raised_by,
    )
    audit_record(
        actor=raised_by,
        action=Action.CREATE,
        object_type="safety.alert",
        object_id=alert.pk,
        client_id=client.pk,
    )
    for hook in _on_alert:
        hook(alert)
    return alert


def location_confirm(
    *,
    client: Client,
    session: Session | None,
    actor: Any,
    address: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
    declined: bool = False,
) -> ConfirmedLocation:
    """Record where the client is now, or that they declined to say (which alerts the team)."""
    address, country = address.strip(), country.strip().upper()
    if not declined and not address:
        raise ValidationError({"address": "Tell us where you are, or choose not to say."})
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError({"country": "Use the two-letter country code, for example US."})
    with transaction.atomic():
        location = ConfirmedLocation.objects.create(
            client=client,
            session=session,
            address="" if declined else address,
            city="" if declined else city.strip(),
            region="" if declined else region.strip(),
            postal_code="" if declined else postal_code.strip(),
            country="" if declined else country,
            declined=declined,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="safety.location",
            object_id=location.pk,
            client_id=client.pk,
        )
        if declined:
            alert_raise(
                client=client,
                severity=Severity.LOW,
                source=AlertSource.LOCATION,
                reason="Client chose not to confirm their location before a session",
                source_ref=f"safety.location:{location.pk}",
                raised_by=actor,
            )
    return location


# Acknowledge and resolve -------------------------------------------------------------------


class AlertConflict(Exception):
    """The alert is not in a state that allows this (API: 409)."""


def _require_actor(actor: User, alert: Alert) -> None:
    from openiop.safety.selectors import NOT_ALLOWED_ALERT, may_act_on_alert

    if not may_act_on_alert(actor, alert):
        raise PermissionDenied(NOT_ALLOWED_ALERT)


def _lock_alert(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _stop_escalation(alert: Alert) -> None:
    AlertRouting.objects.filter(alert=alert).update(deadline_at=None)
    delivery.withdraw(key_prefix=f"safety-alert:{alert.pk}:")


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User, note: str = "") -> Alert:
    """Someone has it: escalation stops. Only an open alert can be acknowledged."""
    _require_actor(actor, alert)
    alert = _lock_alert(alert)
    if alert.state != AlertState.OPEN:
        raise AlertConflict(f"This alert is already {alert.get_state_display().lower()}.")
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.acknowledge_note = note.strip()[:5000]
    alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "acknowledge_note"])
    _stop_escalation(alert)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="safety.alert_ack",
        object_id=alert.pk,
        client_id=alert.client_id,
    )
    return alert


OUTCOME_REQUIRED = "Choose what happened before resolving the alert."
NOTE_FOR_OTHER = "Describe what happened in the note when the outcome is 'Other'."


@transaction.atomic
def alert_resolve(*, alert: Alert, actor: User, outcome: str, note: str = "") -> Alert:
    """Close the alert with a documented outcome. Resolving an open alert acknowledges it in
    the same step (the person resolving clearly has it)."""
    if outcome not in AlertOutcome.values:
        raise ValidationError({"outcome": OUTCOME_REQUIRED})
    note = note.strip()[:5000]
    if outcome == AlertOutcome.OTHER and not note:
        raise ValidationError({"note": NOTE_FOR_OTHER})
    _require_actor(actor, alert)
    alert = _lock_alert(alert)
    if alert.state == AlertState.RESOLVED:
        raise AlertConflict("This alert is already resolved.")
    now = timezone.now()
    if alert.state == AlertState.OPEN:
        alert.acknowledged_by, alert.acknowledged_at = actor, now
        _stop_escalation(alert)
    alert.state = AlertState.RESOLVED
    alert.resolved_by, alert.resolved_at = actor, now
    alert.outcome, alert.note = outcome, note
    alert.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="safety.alert_resolve",
        object_id=alert.pk,
        client_id=alert.client_id,
    )
    return alert


# Raised by people ---------------------------------------------------------------------------

HELP_BUTTON_WINDOW = timedelta(minutes=10)


@transaction.atomic
def help_button_press(*, client: Client, actor: User) -> Alert:
    """The client pressed "I need help now": a high alert, once per ten minutes (a second
    press while the first is still open returns the first)."""
    if actor.pk != client.user_id:
        raise PermissionDenied("Only the client can press their own help button.")
    recent = (
        Alert.objects.select_for_update()
        .filter(
            client=client,
            source=AlertSource.HELP_BUTTON,
            state=AlertState.OPEN,
            raised_at__gte=timezone.now() - HELP_BUTTON_WINDOW,
        )
        .first()
    )
    if recent is not None:
        return recent
    return alert_raise(
        client=client,
        severity=Severity.HIGH,
        source=AlertSource.HELP_BUTTON,
        reason="The client pressed 'I need help now'",
        raised_by=actor,
    )


@transaction.atomic
def clinician_alert_raise(*, client: Client, actor: User, severity: str, reason: str) -> Alert:
    """A clinician raises an alert in session (care team or director)."""
    from openiop.programs.selectors import on_team_or_directs

    if actor.role not in (Role.CLINICIAN, Role.DIRECTOR) or not on_team_or_directs(actor, client):
        raise PermissionDenied("Only the client's clinicians and director can raise an alert.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say briefly why (the care team sees this)."})
    return alert_raise(
        client=client,
        severity=severity,
        source=AlertSource.CLINICIAN,
        reason=reason,
        raised_by=actor,
    )


# Safety plan ---------------------------------------------------------------------------------

REVIEW_EVERY = timedelta(days=30)
EMPTY_PLAN = "Write at least one section before signing: an empty plan cannot be signed."


def _today(program: Program) -> date:
    return timezone.localdate(timezone.now(), ZoneInfo(program.time_zone))


def _require_plan_writer(actor: User, client: Client) -> None:
    from openiop.safety.selectors import NOT_ALLOWED_PLAN, may_edit_plan

    if not may_edit_plan(actor, client):
        raise PermissionDenied(NOT_ALLOWED_PLAN)


@transaction.atomic
def safety_plan_save(
    *,
    client: Client,
    actor: User,
    sections: Mapping[str, str],
    review_on: date | None = None,
) -> SafetyPlan:
    """Save the plan's text. A draft nobody has signed is updated in place; once anyone has
    signed, a save that changes something writes the next version (signatures start over)."""
    _require_plan_writer(actor, client)
    unknown = set(sections) - set(SafetyPlan.SECTIONS)
    if unknown:
        raise ValidationError(f"Unknown section {sorted(unknown)[0]!r}.")
    text = {name: sections.get(name, "").strip()[:5000] for name in SafetyPlan.SECTIONS}
    today = _today(client.program)
    if review_on is not None and review_on < today:
        raise ValidationError({"review_on": "The review date cannot be in the past."})
    latest = (
        SafetyPlan.objects.select_for_update().filter(client=client).order_by("-version").first()
    )
    now = timezone.now()
    if latest is not None and not latest.has_signature:
        for name, value in text.items():
            setattr(latest, name, value)
        latest.review_on = review_on or latest.review_on
        latest.updated_at = now
        latest.save()
        plan, action = latest, Action.UPDATE
    else:
        unchanged = latest is not None and all(getattr(latest, n) == v for n, v in text.items())
        if latest is not None and unchanged and review_on in (None, latest.review_on):
            return latest
        plan = SafetyPlan.objects.create(
            client=client,
            version=(latest.version + 1) if latest else 1,
            review_on=review_on or today + REVIEW_EVERY,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **text,
        )
        action = Action.CREATE
    audit_record(
        actor=actor,
        action=action,
        object_type="safety.plan",
        object_id=plan.pk,
        client_id=client.pk,
    )
    return plan


@transaction.atomic
def safety_plan_sign(*, plan: SafetyPlan, actor: User) -> SafetyPlan:
    """The client signs as the client; a clinician on the care team signs as the clinician.
    Only the latest version can be signed, and never an empty one."""
    client = plan.client
    _require_plan_writer(actor, client)
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    latest_version = (
        SafetyPlan.objects.filter(client=client)
        .order_by("-version")
        .values_list("version", flat=True)
    ).first()
    if plan.version != latest_version:
        raise ValidationError("Only the current version of the plan can be signed.")
    if plan.is_empty:
        raise ValidationError(EMPTY_PLAN)
    now = timezone.now()
    if actor.role == Role.CLIENT:
        if plan.client_signed_at is None:
            plan.client_signed_at = now
    elif plan.clinician_signed_at is None:
        plan.clinician_signed_at, plan.clinician_signed_by = now, actor
    plan.save(update_fields=["client_signed_at", "clinician_signed_at", "clinician_signed_by"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="safety.plan_signature",
        object_id=plan.pk,
        client_id=client.pk,
    )
    if plan.is_signed:
        _schedule_review_reminder(plan)
    return plan


def _schedule_review_reminder(plan: SafetyPlan) -> None:
    """A reminder for the primary clinician on the review date, 09:00 in the program's zone.
    Without the gateway the due plan shows on the clinician's home page (staff_home panel)."""
    clinician = primary_clinician(plan.client_id)
    if clinician is None:
        return
    program = plan.client.program
    send_at = datetime.combine(plan.review_on, time(9), tzinfo=ZoneInfo(program.time_zone))
    delivery.withdraw(key_prefix=f"safety-plan-review:{plan.client_id}:")
    delivery.schedule(
        user=clinician,
        key=f"safety-plan-review:{plan.client_id}:{plan.version}",
        subject="OpenIOP reminder",
        body="A plan in OpenIOP is due for review. Sign in to see it.",
        send_at=send_at,
        link=f"/clients/{plan.client_id}/safety-plan/",
    )


# Emergency contacts ------------------------------------------------------------------------


@transaction.atomic
def emergency_contact_consent(
    *, contact: EmergencyContact, actor: User, is_support_person: bool, consent: bool
) -> EmergencyContact:
    """The client changes whether a contact is their support person and may be contacted."""
    if actor.pk != contact.client.user_id:
        raise PermissionDenied("Only the client can change their contacts.")
    contact.is_support_person = is_support_person
    contact.consent_to_contact = consent
    contact.updated_at = timezone.now()
    contact.save(update_fields=["is_support_person", "consent_to_contact", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="emergency_contact",
        object_id=contact.pk,
        client_id=contact.client_id,
    )
    return contact


# Crisis checklist ----------------------------------------------------------------------------


@transaction.atomic
def checklist_tick(
    *, client: Client, actor: User, step: str, session: Session | None = None
) -> ChecklistTick:
    """Time-stamp one crisis step (a second tick of the same step is recorded too: the
    panel shows each time it was done)."""
    if step not in ChecklistStep.values:
        raise ValidationError({"step": "Choose a step from the list."})
    tick = ChecklistTick.objects.create(client=client, session=session, step=step, ticked_by=actor)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="safety.checklist_tick",
        object_id=tick.pk,
        client_id=client.pk,
    )
    return tick


# On-call rota, working hours, local resources (director pages) --------------------------------


@dataclass(frozen=True)
class ShiftInput:
    starts_on: date
    starts_time: time
    ends_on: date
    ends_time: time
    primary: User
    backup: User | None


def _program_clinician(program: Program, user: User | None, field: str) -> dict[str, str]:
    if user is None:
        return {}
    from openiop.programs.models import ProgramStaff

    if user.role != Role.CLINICIAN or not user.is_active:
        return {field: "Choose an active clinician."}
    if not ProgramStaff.objects.filter(program=program, user=user).exists():
        return {field: "Choose a clinician of this program."}
    return {}


@transaction.atomic
def on_call_shift_add(*, program: Program, actor: User, shift: ShiftInput) -> OnCallShift:
    """A shift from a wall-clock start to end in the program's zone (DST-aware)."""
    zone = ZoneInfo(program.time_zone)
    starts = datetime.combine(shift.starts_on, shift.starts_time, tzinfo=zone)
    ends = datetime.combine(shift.ends_on, shift.ends_time, tzinfo=zone)
    errors = _program_clinician(program, shift.primary, "primary")
    errors |= _program_clinician(program, shift.backup, "backup")
    if shift.backup is not None and shift.backup.pk == shift.primary.pk:
        errors["backup"] = "The backup must be someone other than the on-call clinician."
    if ends <= starts:
        errors["ends_time"] = "The shift must end after it starts."
    elif ends - starts > timedelta(days=14):
        errors["ends_time"] = "A shift can last at most 14 days."
    if errors:
        raise ValidationError(errors)
    row = OnCallShift.objects.create(
        program=program,
        starts_at=starts.astimezone(ZoneInfo("UTC")),
        ends_at=ends.astimezone(ZoneInfo("UTC")),
        primary=shift.primary,
        backup=shift.backup,
        created_by=actor,
    )
    audit_record(actor=actor, action=Action.CREATE, object_type="safety.on_call", object_id=row.pk)
    return row


@transaction.atomic
def on_call_shift_remove(*, shift: OnCallShift, actor: User) -> None:
    shift_id = shift.pk
    shift.delete()
    audit_record(
        actor=actor, action=Action.DELETE, object_type="safety.on_call", object_id=shift_id
    )


@transaction.atomic
def staff_hours_set(
    *, user: User, program: Program, periods: list[tuple[int, time, time]], actor: User
) -> None:
    """Replace the user's working hours in the program (empty: the business-hours default)."""
    for weekday, start, end in periods:
        if not 0 <= weekday <= 6:
            raise ValidationError("Choose a day of the week.")
        if end <= start:
            raise ValidationError("Each working period must end after it starts.")
    StaffHours.objects.filter(user=user, program=program).delete()
    StaffHours.objects.bulk_create(
        StaffHours(user=user, program=program, weekday=d, start=s, end=e) for d, s, e in periods
    )
    audit_record(
        actor=actor, action=Action.UPDATE, object_type="safety.staff_hours", object_id=user.pk
    )


RESOURCE_FIELDS = (
    "label",
    "country",
    "region",
    "city",
    "postal_prefix",
    "dispatch_phone",
    "mobile_crisis_name",
    "mobile_crisis_phone",
    "nearest_ed",
    "nearest_ed_phone",
)


@transaction.atomic
def emergency_resource_save(
    *,
    program: Program,
    actor: User,
    data: Mapping[str, str],
    resource: EmergencyResource | None = None,
) -> EmergencyResource:
    """Add or change one local entry. It must name a country and at least one number."""
    from openiop.lib.countries import is_country_code

    values = {name: str(data.get(name, "")).strip() for name in RESOURCE_FIELDS}
    values["country"] = values["country"].upper()
    errors = {}
    if not values["label"]:
        errors["label"] = "Name the place, for example 'Springfield, IL'."
    if not is_country_code(values["country"]):
        errors["country"] = "Choose the country."
    if not (values["dispatch_phone"] or values["mobile_crisis_phone"] or values["nearest_ed"]):
        errors["dispatch_phone"] = "Give at least a dispatch number, a crisis team or an ED."
    if errors:
        raise ValidationError(errors)
    if resource is None:
        resource = EmergencyResource(program=program)
        action = Action.CREATE
    else:
        action = Action.UPDATE
    for name, value in values.items():
        setattr(resource, name, value)
    resource.updated_at = timezone.now()
    resource.save()
    audit_record(actor=actor, action=action, object_type="safety.resource", object_id=resource.pk)
    return resource


@transaction.atomic
def emergency_resource_remove(*, resource: EmergencyResource, actor: User) -> None:
    resource_id = resource.pk
    resource.delete()
    audit_record(
        actor=actor, action=Action.DELETE, object_type="safety.resource", object_id=resource_id
    )
