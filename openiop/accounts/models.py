import zoneinfo
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from openiop.lib.tokens import new_token, token_digest


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as America/Chicago.")


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    CLINICIAN = "clinician", "Clinician"
    FACILITATOR = "facilitator", "Group facilitator"
    DIRECTOR = "director", "Program director"
    COMPLIANCE = "compliance", "Compliance officer"
    FAMILY = "family", "Family member / support person"
    ADMIN = "admin", "Site admin"


# Every role that works for the clinic; these must use a second factor.
STAFF_ROLES = frozenset(
    {Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR, Role.COMPLIANCE, Role.ADMIN}
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a client, a family member or a member of staff."""

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    display_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May enter the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]  # email is the username; nothing else asked

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def requires_mfa(self) -> bool:
        return self.is_staff_role

    def passed_second_factor(self) -> bool:
        """True once django-otp's middleware has seen a verified device in this session."""
        verified = getattr(self, "is_verified", None)
        return bool(verified and verified())


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} for {self.user_id}"

    digest_of = staticmethod(token_digest)
    new_raw = staticmethod(new_token)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.user.is_active
