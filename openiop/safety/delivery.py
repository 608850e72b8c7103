"""How a page reaches a person: the one place that knows the delivery channel.

Staff messages carry no PHI: no client name, no reason, only a link behind the sign-in.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from openiop.accounts.models import User

ALERT_SUBJECT = "OpenIOP alert"


def alert_message(link: str) -> str:
    return f"An OpenIOP alert needs you: {link}\n\nSign in to see the details."


def absolute(path: str) -> str:
    return settings.OPENIOP_BASE_URL.rstrip("/") + path


def deliver(*, user: User, key: str, subject: str, body: str, link: str = "") -> None:
    """Hand one message for `user` to the delivery channel, inside the caller's transaction.

    Until the notification gateway (#9) lands, email through Django's mail backend, sent when
    the caller's transaction commits: a rolled-back attempt sends nothing, and the caller's
    `sent_at` row (unique per key) keeps a rerun from sending twice.
    """
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    message.extra_headers = {"X-OpenIOP-Key": key}
    transaction.on_commit(lambda: message.send(fail_silently=False))


def withdraw(*, key_prefix: str) -> int:
    """Withdraw messages not yet sent whose key starts with `key_prefix` (gateway only)."""
    return 0


def schedule(
    *, user: User, key: str, subject: str, body: str, send_at: datetime, link: str = ""
) -> None:
    """A message to send later (the plan review reminder). Without the gateway there is no
    scheduler: the due plan shows on the clinician's home page instead."""
    return None
