"""The client's invitation: a one-time link to choose a password, and the email that carries it.

The link is a PasswordResetTokenGenerator token (with its own salt and lifetime): it is bound
to the account's password hash and last sign-in, so it stops working the moment a password is
set, or when staff resend the invitation (which renews the unusable password).

The email carries no clinical detail: no program name (it can name a condition), no reason
for referral, no diagnosis; only "your care team at <clinic>".
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from openiop.accounts.models import Role, User

SUBJECT = "Your OpenIOP account"


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset tokens under their own salt, valid for OPENIOP_INVITE_LIFETIME."""

    key_salt = "openiop.programs.invites.InviteTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        # The base class would expire the link after PASSWORD_RESET_TIMEOUT (meant for
        # resets); the same checks, against the invitation's own lifetime.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - ts
        return 0 <= age <= settings.OPENIOP_INVITE_LIFETIME.total_seconds()


invite_tokens = InviteTokenGenerator()


def invite_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "referrals:invite_accept",
        kwargs={"uidb64": uidb64, "token": invite_tokens.make_token(user)},
    )


def user_for_invite(uidb64: str, token: str) -> User | None:
    """The client account the link is for, if the link is still good; None otherwise."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, role=Role.CLIENT, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    return user if invite_tokens.check_token(user, token) else None


def invite_email(user: User) -> EmailMessage:
    days = settings.OPENIOP_INVITE_LIFETIME.days
    link = f"{settings.OPENIOP_BASE_URL}{invite_path(user)}"
    body = (
        "Hello,\n\n"
        f"Your care team at {settings.OPENIOP_CLINIC_NAME} has set up an OpenIOP account for "
        "you. OpenIOP is where you will see your schedule and join your appointments online.\n\n"
        f"Choose your password here. The link works once, for {days} days:\n{link}\n\n"
        "If the link has expired or was already used, ask your care team to send you a new "
        "one.\n\n"
        "If you were not expecting this email, you can ignore it.\n"
    )
    return EmailMessage(subject=SUBJECT, body=body, to=[user.email])
