"""Account workflows: creating users, second factors and API tokens."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import STAFF_ROLES, ApiToken, Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def user_create(
    *,
    email: str,
    role: Role | str,
    password: str | None,
    display_name: str = "",
    time_zone: str = "UTC",
    actor: User | None = None,
) -> User:
    """Create an account. The password is checked against the password rules first."""
    role = Role(role)
    user = User(
        email=email.strip().lower(),
        role=role,
        display_name=display_name,
        time_zone=time_zone,
        is_staff=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action=Action.CREATE, object_type="user", object_id=user.pk)
    return user


@transaction.atomic
@transaction.atomic
def user_set_password(
    *, user: User, password: str, actor: User | None = None, client_id: int | None = None
) -> None:
    """Set a password the rules accept; `client_id` files the event under a client's record."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="user.password",
        object_id=user.pk,
        client_id=client_id,
    )


def totp_device_for(user: User, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


@transaction.atomic
def totp_begin_enrollment(*, user: User) -> TOTPDevice:
    """An unconfirmed device whose secret the user scans; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_confirm_enrollment(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a code from the app. Returns fresh recovery codes, or None
    when the code is wrong (and nothing changes)."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user)
    audit_record(actor=user, action=Action.UPDATE, object_type="user.mfa", object_id=user.pk)
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


@transaction.atomic
def totp_install_known_secret(*, user: User, secret_hex: str) -> TOTPDevice:
    """For `create_user` and the demo: a confirmed device with a secret printed to the operator."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=secret_hex, confirmed=True
    )


@transaction.atomic
def api_token_issue(*, user: User, now: datetime | None = None) -> tuple[str, ApiToken]:
    """A new bearer token (returned once, stored only as a digest)."""
    now = now or timezone.now()
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        created_at=now,
        expires_at=now + settings.OPENIOP_API_TOKEN_LIFETIME,
    )
    audit_record(actor=user, action=Action.LOGIN, object_type="api_token", object_id=token.pk)
    return raw, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=token.user, action=Action.LOGOUT, object_type="api_token", object_id=token.pk
    )


def role_needs_mfa(role: str) -> bool:
    return role in STAFF_ROLES
