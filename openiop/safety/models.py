from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.programs.models import Client
from openiop.scheduling.models import Session


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class AlertSource(models.TextChoices):
    MEASURE = "measure", "Questionnaire answer"
    CHECKIN = "checkin", "Check-in words"
    HELP_BUTTON = "help_button", "Client pressed 'I need help now'"
    CLINICIAN = "clinician", "Raised by a clinician"
    LOCATION = "location", "Client declined to confirm location"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    """A risk signal that a human must acknowledge and resolve. Never deleted.

    Raised only through ``safety.services.alert_raise`` (in the caller's transaction), which
    also records the audit event and queues the routing and escalation jobs.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    severity = models.CharField(max_length=16, choices=Severity.choices)
    source = models.CharField(max_length=16, choices=AlertSource.choices)
    # What raised it, as "app.model:id" (e.g. "measures.response:42"); no clinical text here.
    source_ref = models.CharField(max_length=100, blank=True)
    # Short reason for the clinician ("PHQ-9 item 9 answered 2"); shown to staff only.
    reason = models.CharField(max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts_raised",
    )
    raised_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts_acknowledged",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "state"], name="alert_client_state"),
            models.Index(fields=["state", "raised_at"], name="alert_state_raised"),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.severity}, {self.state})"


class ConfirmedLocation(models.Model):
    """Where the client said they were, confirmed before a session (or declined).

    Belongs to safety (ARCHITECTURE.md): the crisis protocol needs it; the video room shows it.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="locations")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="locations"
    )
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    declined = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        indexes = [models.Index(fields=["client", "confirmed_at"], name="location_client_time")]

    def __str__(self) -> str:
        return f"Location {self.pk}"
