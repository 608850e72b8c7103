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

    class Meta:
        ordering = ["name"]

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
