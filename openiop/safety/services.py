"""Safety write workflows. Each runs inside the caller's transaction."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client
from openiop.safety.models import Alert, AlertSource, ConfirmedLocation, Severity
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
