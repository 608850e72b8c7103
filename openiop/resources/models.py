"""The program's resource directory, partner locations for in-person care, referrals out
with their consented disclosures, and the client's consents to share with family.

Resources sits left of scheduling, so scheduling, safety and notes can ask it whether a
family member may see something of a client (`openiop.resources.family`).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.programs.models import Client, Program

# An entry nobody has checked for this long is flagged to staff as stale.
STALE_AFTER = timedelta(days=180)


class Category(models.TextChoices):
    PEER_SUPPORT = "peer_support", "Peer support group"
    COMMUNITY_SERVICE = "community_service", "Community service"
    CLINIC = "clinic", "In-person clinic"
    LAB = "lab", "Lab"
    EMERGENCY = "emergency", "Emergency department"
    CRISIS_LINE = "crisis_line", "Crisis line"
    ACTIVITY = "activity", "Activity or hobby group"
    OTHER = "other", "Other"


class Place(models.Model):
    """Address fields shared by directory entries and partner locations."""

    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="State or region.")
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 alpha-2")
    # The postal code's centroid (offline data), filled by the service; blank when unknown.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        parts = [
            self.address_line,
            self.city,
            " ".join(p for p in (self.region, self.postal_code) if p),
        ]
        return ", ".join(p for p in parts if p)


class Resource(Place):
    """One entry of a program's directory: a group, service, clinic, lab or crisis service.

    Crisis entries (`is_crisis`) are the shared home for the crisis resources the safety
    app shows (see `openiop.resources.selectors.crisis_resources`).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=Category.choices)
    description = models.CharField(max_length=500, blank=True)
    is_online = models.BooleanField(default=False, help_text="Online or by phone only.")
    hours = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    url = models.URLField(blank=True)
    languages = models.CharField(max_length=200, blank=True, default="English")
    cost = models.CharField(max_length=100, blank=True, help_text="e.g. Free, sliding scale.")
    is_crisis = models.BooleanField(default=False, help_text="Shown with crisis resources.")
    last_verified_on = models.DateField(help_text="When someone last checked the details.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["program", "category"], name="resource_program_category"),
            models.Index(fields=["program", "latitude", "longitude"], name="resource_program_geo"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, today: date) -> bool:
        return today - self.last_verified_on > STALE_AFTER


class PartnerLocation(Place):
    """A partner's premises where a session can be held in person (hybrid care)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="partner_locations")
    name = models.CharField(max_length=200)
    directions = models.CharField(max_length=300, blank=True, help_text="Entrance, floor, parking.")
    phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ProgramPart2(models.Model):
    """Marks a program as a federally assisted substance-use program (42 CFR Part 2)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="part2")
    is_part2 = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"part 2 flag for {self.program_id}"


class ClientResource(models.Model):
    """A directory entry the care team chose for one client ("Near me")."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="chosen_resources")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "resource"], name="unique_client_resource")
        ]

    def __str__(self) -> str:
        return f"client resource {self.pk}"


class ReferralKind(models.TextChoices):
    THERAPY = "therapy", "In-person therapy"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    MEDICAL = "medical", "Medical care"
    PEER_GROUP = "peer_group", "Peer group"
    COMMUNITY = "community", "Community service"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    DECLINED = "declined", "Declined"


class ReferralOut(models.Model):
    """A clinician's referral of a client to a resource or provider outside the program."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals_out")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    provider_name = models.CharField(max_length=200, help_text="Who the client is referred to.")
    provider_contact = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=ReferralKind.choices)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"referral out {self.pk}"


class ConsentBase(models.Model):
    """The elements every consent to share carries; Part 2 adds the redisclosure notice."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200, help_text="The named person or provider.")
    information = models.CharField(max_length=500, help_text="How much and what kind.")
    purpose = models.CharField(max_length=300)
    expires_at = models.DateTimeField()
    signed_name = models.CharField(max_length=200, help_text="The client's typed signature.")
    signed_at = models.DateTimeField(default=timezone.now)
    is_part2 = models.BooleanField(default=False, help_text="Given under 42 CFR Part 2.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class DisclosureConsent(ConsentBase):
    """The client's consent to send records for one referral out."""

    referral = models.ForeignKey(ReferralOut, on_delete=models.PROTECT, related_name="consents")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"disclosure consent {self.pk}"


class Disclosure(models.Model):
    """Records sent to a referral's recipient under a consent (accounting of disclosures)."""

    referral = models.ForeignKey(ReferralOut, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(DisclosureConsent, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200)
    information = models.CharField(max_length=500)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_at", "-pk"]

    def __str__(self) -> str:
        return f"disclosure {self.pk}"


class FamilyScope(models.TextChoices):
    SCHEDULE = "schedule", "My session schedule and family sessions"
    ATTENDANCE = "attendance", "Whether I attended"
    FAMILY_NOTES = "family_notes", "Notes from family sessions"
    SAFETY_PLAN = "safety_plan", "My safety plan"


class FamilyConsent(ConsentBase):
    """The client's consent that one family member or support person sees some things.

    Deny by default: the family user sees only the scopes here, only while it is active
    (not revoked, not expired); never the clinical record.
    """

    family_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="family_consents"
    )
    relationship = models.CharField(max_length=100)
    share_schedule = models.BooleanField(default=False)
    share_attendance = models.BooleanField(default=False)
    share_family_notes = models.BooleanField(default=False)
    share_safety_plan = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["family_user", "client", "expires_at"], name="familyconsent_live")
        ]

    def __str__(self) -> str:
        return f"family consent {self.pk}"

    @property
    def scopes(self) -> list[str]:
        return [
            scope
            for scope, shared in (
                (FamilyScope.SCHEDULE, self.share_schedule),
                (FamilyScope.ATTENDANCE, self.share_attendance),
                (FamilyScope.FAMILY_NOTES, self.share_family_notes),
                (FamilyScope.SAFETY_PLAN, self.share_safety_plan),
            )
            if shared
        ]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [FamilyScope(scope).label for scope in self.scopes]
