"""The family member's invitation: a one-time link to choose a password.

The link is the same kind as the client's (programs.invites: bound to the password hash, so
spent once a password is set). The email names nobody's condition or program: only that
someone shared some of their OpenIOP information with the reader.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from openiop.accounts.models import Role, User
from openiop.programs.invites import invite_tokens

SUBJECT = "Someone shared their OpenIOP schedule with you"


def family_invite_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "family:invite_accept", kwargs={"uidb64": uidb64, "token": invite_tokens.make_token(user)}
    )


def user_for_family_invite(uidb64: str, token: str) -> User | None:
    """The family account the link is for, if the link is still good; None otherwise."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, role=Role.FAMILY, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    return user if invite_tokens.check_token(user, token) else None


def family_invite_email(user: User, sharer_first_name: str) -> EmailMessage:
    """The invitation (no account yet) or a note (an account already): no clinical detail."""
    base = settings.OPENIOP_BASE_URL
    if user.has_usable_password():
        action = f"Sign in to see what is shared:\n{base}/\n\n"
    else:
        days = settings.OPENIOP_INVITE_LIFETIME.days
        action = (
            "Choose your password here to see what is shared. The link works once, for "
            f"{days} days:\n{base}{family_invite_path(user)}\n\n"
        )
    body = (
        "Hello,\n\n"
        f"{sharer_first_name} has chosen to share some of their OpenIOP information with you "
        f"through {settings.OPENIOP_CLINIC_NAME}. They decide what you see and can stop "
        "sharing at any time.\n\n"
        f"{action}"
        "If you were not expecting this email, you can ignore it.\n"
    )
    return EmailMessage(subject=SUBJECT, body=body, to=[user.email])
