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
    acknowledge_note = models.TextField(blank=True)
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

    @property
    def outcome_label(self) -> str:
        return dict(AlertOutcome.choices).get(self.outcome, self.outcome)


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


# Escalation steps an alert goes through until someone acknowledges it.
class AlertStep(models.IntegerChoices):
    FIRST = 0, "Primary clinician on duty, else the on-call clinician"
    BACKUP = 1, "Backup on-call clinician"
    DIRECTOR = 2, "Program director"


class AlertOutcome(models.TextChoices):
    REACHED_CLIENT = "reached_client", "Reached the client"
    PLAN_REVIEWED = "plan_reviewed", "Safety plan reviewed with the client"
    SUPPORT_CONTACTED = "support_contacted", "Support person contacted"
    EMERGENCY_CALLED = "emergency_called", "Emergency services called"
    OTHER = "other", "Other (see note)"


class AlertRouting(models.Model):
    """Where an alert is in its escalation: the step it has reached and when that step's
    acknowledgement is due. One row per alert, written with the alert; the escalation task
    and the `safety_sweep` command both move it on, under a row lock."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="routing")
    step = models.PositiveSmallIntegerField(choices=AlertStep.choices, default=AlertStep.FIRST)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # Nobody could be notified at any step: every staff dashboard of the program shows it red.
    unrouted = models.BooleanField(default=False)
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["deadline_at"], name="alert_routing_deadline")]

    def __str__(self) -> str:
        return f"routing of alert {self.alert_id} (step {self.step})"

    @property
    def escalated(self) -> bool:
        return self.unrouted or self.step >= AlertStep.DIRECTOR


class AlertPage(models.Model):
    """One notification of one person at one escalation step: written once, so a task that
    runs twice, or a worker that dies mid-job, pages each (alert, step, recipient) once."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="pages")
    step = models.PositiveSmallIntegerField(choices=AlertStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_pages"
    )
    # The idempotency key handed to the notification gateway ("safety-alert:12:1:7").
    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "step", "recipient"], name="one_page_per_alert_step_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"page {self.key}"


class OnCallShift(models.Model):
    """Who is paged for a program's alerts between two instants (set in the program's zone,
    stored in UTC), with a backup for when the on-call clinician does not answer."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    primary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_shifts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["program", "starts_at", "ends_at"], name="oncall_program_time")
        ]

    def __str__(self) -> str:
        return f"on-call shift {self.pk}"


class StaffHours(models.Model):
    """One working period of a clinician on one weekday, in the program's zone. A clinician
    with no rows works the program's business hours (Mon–Fri 09:00–17:00)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="staff_hours"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["user", "weekday", "start"]
        indexes = [models.Index(fields=["user", "program"], name="staffhours_user_program")]

    def __str__(self) -> str:
        return f"hours {self.pk}"


class SafetyPlan(models.Model):
    """One version of a client's safety plan, in their own words. A signed version is never
    edited: saving it again writes the next version, so the history stays readable."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="safety_plans")
    version = models.PositiveIntegerField()
    warning_signs = models.TextField(blank=True)
    coping_alone = models.TextField(blank=True)
    distractions = models.TextField(blank=True)
    people_to_ask = models.TextField(blank=True)
    professionals = models.TextField(blank=True)
    safer_surroundings = models.TextField(blank=True)
    review_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    client_signed_at = models.DateTimeField(null=True, blank=True)
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    clinician_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SECTIONS = (
        "warning_signs",
        "coping_alone",
        "distractions",
        "people_to_ask",
        "professionals",
        "safer_surroundings",
    )

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="unique_plan_version")
        ]

    def __str__(self) -> str:
        return f"safety plan {self.client_id} v{self.version}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name in self.SECTIONS)

    @property
    def is_signed(self) -> bool:
        """Signed by both the client and a clinician: the plan in force."""
        return self.client_signed_at is not None and self.clinician_signed_at is not None

    @property
    def has_signature(self) -> bool:
        return self.client_signed_at is not None or self.clinician_signed_at is not None


class EmergencyResource(models.Model):
    """Local crisis numbers a program keeps for one place (a postal prefix, a city, a region
    or a whole country); the most specific entry that matches the client's location wins."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="emergency_resources"
    )
    label = models.CharField(max_length=150, help_text="For example: Springfield, IL")
    country = models.CharField(max_length=2, help_text="ISO 3166 alpha-2")
    region = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_prefix = models.CharField(max_length=20, blank=True)
    dispatch_phone = models.CharField(
        max_length=32, blank=True, help_text="Emergency dispatch's 10-digit number"
    )
    mobile_crisis_phone = models.CharField(max_length=32, blank=True)
    mobile_crisis_name = models.CharField(max_length=150, blank=True)
    nearest_ed = models.CharField(max_length=300, blank=True, help_text="Name and address")
    nearest_ed_phone = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "region", "city", "postal_prefix", "pk"]
        indexes = [models.Index(fields=["program", "country"], name="emres_program_country")]

    def __str__(self) -> str:
        return self.label


class ChecklistStep(models.TextChoices):
    LOCATION = "location", "Confirmed where the client is right now"
    STAYED = "stayed", "Stayed on the call with the client"
    PLAN = "plan", "Went through the safety plan together"
    SUPPORT = "support", "Contacted the support person"
    CRISIS_LINE = "crisis_line", "Connected the client with 988 or the mobile crisis team"
    DISPATCH = "dispatch", "Called emergency dispatch"
    HANDOFF = "handoff", "Handed over to emergency services or a safe person"


class ChecklistTick(models.Model):
    """One crisis-checklist step done, time-stamped, in a session (or outside one)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="crisis_ticks")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(max_length=16, choices=ChecklistStep.choices)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ticked_at", "pk"]
        indexes = [models.Index(fields=["client", "ticked_at"], name="tick_client_time")]

    def __str__(self) -> str:
        return f"tick {self.step}"
