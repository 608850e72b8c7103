"""How a page reaches a person: the one place that knows the delivery channel, the
notification gateway (`openiop.notify`: email and in-app for staff, retries with backoff,
every attempt recorded, idempotent on the key).

Staff messages carry no PHI: no client name, no reason, only a link behind the sign-in.
"""

from datetime import datetime

from openiop.accounts.models import User
from openiop.notify.services import notify_send, notify_withdraw

ALERT_SUBJECT = "OpenIOP alert"
ALERT_BODY = "An OpenIOP alert needs you:"


def deliver(*, user: User, key: str, subject: str, body: str, link: str = "") -> None:
    """Queue one message for `user` now, inside the caller's transaction (it commits with the
    caller's record of having sent it; the gateway delivers after the commit)."""
    notify_send(user=user, key=key, subject=subject, body=body, link=link, staff=True)


def schedule(
    *, user: User, key: str, subject: str, body: str, send_at: datetime, link: str = ""
) -> None:
    """A message for later (the plan review reminder), withdrawn if the plan changes."""
    notify_send(
        user=user, key=key, subject=subject, body=body, link=link, send_at=send_at, staff=True
    )


def withdraw(*, key_prefix: str) -> int:
    """Withdraw messages not yet sent whose key starts with `key_prefix`."""
    return notify_withdraw(key_prefix=key_prefix)
