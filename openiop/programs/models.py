from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.accounts.models import validate_time_zone


class LevelOfCare(models.TextChoices):
    IOP_ADULT = "iop_adult", "Intensive outpatient (adults)"
    IOP_ADOLESCENT = "iop_adolescent", "Intensive outpatient (adolescents)"
    PHP = "php", "Partial hospitalization"


DEFAULT_WEEKLY_HOURS = {
    LevelOfCare.IOP_ADULT: Decimal(9),
    LevelOfCare.IOP_ADOLESCENT: Decimal(6),
    LevelOfCare.PHP: Decimal(20),
}


class Program(models.Model):
    """A level of care offered by the clinic, with its weekly hour minimum and its own zone."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    level_of_care = models.CharField(max_length=20, choices=LevelOfCare.choices)
    min_weekly_hours = models.DecimalField(max_digits=4, decimal_places=1)
    max_group_size = models.PositiveSmallIntegerField(default=12)
    billable_day_min_hours = models.DecimalField(max_digits=3, decimal_places=1, default=3)
    on_call_phone = models.CharField(max_length=32, blank=True)
    dial_in_phone = models.CharField(max_length=32, blank=True)
    # Clients may move their own individual session until this many hours before it starts.
    reschedule_notice_hours = models.PositiveSmallIntegerField(default=24)
    # Weekly minimum once a client steps down; blank means half the program's minimum.
    step_down_weekly_hours = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def step_down_hours(self) -> Decimal:
        if self.step_down_weekly_hours is not None:
            return self.step_down_weekly_hours
        return (self.min_weekly_hours / 2).quantize(Decimal("0.1"))


class ScheduleLabel(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"
    WEEKEND = "weekend", "Weekend"


class Track(models.Model):
    """A cohort of a program that meets at one time of day, e.g. "Adult mood — evenings"."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=200)
    schedule_label = models.CharField(max_length=16, choices=ScheduleLabel.choices)
    population = models.CharField(max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(default=12)
    trauma_focused = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_track_name")
        ]

    def __str__(self) -> str:
        return self.name


class ProgramStaff(models.Model):
    """A member of staff working in a program (directors see every client of theirs)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="unique_program_staff")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.program_id}"


class Client(models.Model):
    """A person receiving care in a program: the record whose every read is audited."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="client_profile"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    # Required at referral; blank only for an account made by an operator with `create_user`.
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    created_at = models.DateTimeField(default=timezone.now)
    # Home address, collected at onboarding for the safety features.
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    # Onboarding steps the client has been through (consents are their own rows).
    onboarding_welcome_at = models.DateTimeField(null=True, blank=True)
    onboarding_contacts_at = models.DateTimeField(null=True, blank=True)
    onboarding_device_check_at = models.DateTimeField(null=True, blank=True)
    onboarding_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["program", "last_name"], name="client_program_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"


class CareTeamRole(models.TextChoices):
    PRIMARY = "primary", "Primary clinician"
    CLINICIAN = "clinician", "Clinician"
    FACILITATOR = "facilitator", "Group facilitator"
    PRESCRIBER = "prescriber", "Psychiatric prescriber"


class CareTeamMember(models.Model):
    """A member of staff on one client's care team: they may see that client's record."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team_seats"
    )
    role = models.CharField(max_length=16, choices=CareTeamRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="unique_care_team_member"),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(role="primary"),
                name="one_primary_clinician",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role}) for client {self.client_id}"


class BreakGlassGrant(models.Model):
    """Emergency access by a clinician outside the care team: one hour, reason required."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.CharField(max_length=500)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="breakglass_active")]

    def __str__(self) -> str:
        return f"break-glass {self.pk}"

    def is_active(self, now: datetime) -> bool:
        return self.granted_at <= now < self.expires_at


class EmergencyContact(models.Model):
    """Someone to reach in a crisis; contacted only with the client's recorded consent."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=32)
    is_support_person = models.BooleanField(default=False)
    consent_to_contact = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_support_person", "name"]

    def __str__(self) -> str:
        return f"emergency contact {self.pk}"


class Phase(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    STEP_DOWN = "step_down", "Step-down"
    DISCHARGED = "discharged", "Discharged"
    AFTERCARE = "aftercare", "Aftercare"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The only moves an enrollment may make; anything else is refused (409 in the API).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.REFERRED: frozenset({Phase.INTAKE, Phase.DECLINED, Phase.WITHDRAWN}),
    Phase.INTAKE: frozenset({Phase.ACTIVE, Phase.DECLINED, Phase.WITHDRAWN}),
    Phase.ACTIVE: frozenset({Phase.STEP_DOWN, Phase.DISCHARGED}),
    Phase.STEP_DOWN: frozenset({Phase.ACTIVE, Phase.DISCHARGED}),
    Phase.DISCHARGED: frozenset({Phase.AFTERCARE}),
    Phase.AFTERCARE: frozenset(),
    Phase.DECLINED: frozenset(),
    Phase.WITHDRAWN: frozenset(),
}
OPEN_PHASES = (Phase.REFERRED, Phase.INTAKE, Phase.ACTIVE, Phase.STEP_DOWN)


class Enrollment(models.Model):
    """One episode of care of a client in a program, from referral to discharge."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.REFERRED)
    phase_changed_at = models.DateTimeField(default=timezone.now)
    referred_at = models.DateTimeField(default=timezone.now)
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-referred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(phase__in=["referred", "intake", "active", "step_down"]),
                name="one_open_enrollment_per_client",
            )
        ]
        indexes = [models.Index(fields=["program", "phase"], name="enrollment_program_phase")]

    def __str__(self) -> str:
        return f"enrollment {self.pk} ({self.phase})"

    def can_move_to(self, phase: str) -> bool:
        return phase in ALLOWED_TRANSITIONS[self.phase]

    @property
    def required_weekly_hours(self) -> Decimal:
        if self.phase == Phase.STEP_DOWN:
            return self.program.step_down_hours
        return self.program.min_weekly_hours


class EnrollmentTransition(models.Model):
    """Who moved an enrollment from one phase to another, when and why."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="transitions")
    from_phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=16, choices=Phase.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_phase or 'new'} -> {self.to_phase}"


class ReferralSource(models.TextChoices):
    INPATIENT = "inpatient_unit", "Inpatient unit"
    OUTPATIENT = "outpatient_provider", "Outpatient provider"
    SELF = "self", "Self"
    FAMILY = "family", "Family"
    OTHER = "other", "Other"


class Referral(models.Model):
    """How a client came to the program: source, referring provider, reason."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="referral")
    source = models.CharField(max_length=24, choices=ReferralSource.choices)
    referring_provider = models.CharField(max_length=200, blank=True)
    referring_contact = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Same name and date of birth as an existing client of the program: flagged, not merged.
    possible_duplicate_of = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"referral {self.pk}"


class ClientDocument(models.Model):
    """A file in the client's record, stored outside the web root, served by an audited view."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    title = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"document {self.pk}"


class ConsentKind(models.TextChoices):
    TELEHEALTH = "telehealth", "Telehealth informed consent"
    TREATMENT = "treatment", "Consent to treatment"


class ConsentDocument(models.Model):
    """One published version of a consent text; a new version needs a new signature."""

    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="unique_consent_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class ConsentSignature(models.Model):
    """A client's electronic signature on one version of a consent document."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "document"], name="unique_consent_signature")
        ]

    def __str__(self) -> str:
        return f"signature {self.pk}"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed the program"
    STEPPED_DOWN = "stepped_down", "Stepped down to outpatient care"
    HIGHER_LEVEL = "higher_level", "Moved to a higher level of care"
    AGAINST_ADVICE = "against_advice", "Left against advice"
    OTHER = "other", "Other"


class DischargeSummary(models.Model):
    """The letter for the next provider: dates, hours, progress, aftercare. Locked once signed."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    reason = models.CharField(max_length=16, choices=DischargeReason.choices)
    admission_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField()
    attended_hours = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    progress = models.TextField(blank=True, help_text="Course of treatment and measure change.")
    recommendations = models.TextField(blank=True)
    aftercare_appointments = models.TextField(blank=True)
    aftercare_referrals = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"discharge summary {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
