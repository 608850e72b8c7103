"""Email through Django's mail backends (SMTP in production; `make run` runs a local sink).

The Message-ID is derived from the message's idempotency key, so if a worker dies after the
SMTP server accepted a message but before the success was committed, the resend carries the
same Message-ID: a receiving system (and our tests and bench) can tell it is the same message.
"""

import hashlib
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from openiop.notify.channels import Outcome

_batch = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Reuse one mail-server connection for every email sent inside the block (a sweeper's
    pass); without it each message opens its own."""
    connection = mailers.default  # opened by the first send, so a batch with no email is free
    _batch.connection = connection
    try:
        yield
    finally:
        _batch.connection = None
        with suppress(smtplib.SMTPException, OSError):
            connection.close()


def _connection() -> Any:
    return getattr(_batch, "connection", None)


def _drop_broken_connection() -> None:
    connection = _connection()
    if connection is not None:
        with suppress(smtplib.SMTPException, OSError):
            connection.close()


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "openiop.invalid"


def message_id_for(key: str, channel: str = "email") -> str:
    digest = hashlib.sha256(f"{key}|{channel}".encode()).hexdigest()[:40]
    return f"<{digest}@{_domain()}>"


def full_link(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{settings.OPENIOP_BASE_URL}{link}"


def send_email(*, to: str, subject: str, body: str, link: str, key: str) -> Outcome:
    message_id = message_id_for(key)
    text = body
    if link:
        text += f"\n\n{full_link(link)}"
    text += (
        f"\n\n--\n{settings.OPENIOP_CLINIC_NAME}. Choose how we reach you: "
        f"{settings.OPENIOP_BASE_URL}/me/notifications/\n"
    )
    email = EmailMessage(subject=subject, body=text, to=[to], headers={"Message-ID": message_id})
    connection = _connection()
    try:
        if connection is not None:
            connection.open()  # a no-op while it is open
            connection.send_messages([email])
        else:
            email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return Outcome.failed(
                f"mail server refused the address ({codes[0]})", address_invalid=True
            )
        return Outcome.retry(f"mail server deferred the address ({codes[0] if codes else '?'})")
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            return Outcome.failed(f"mail server refused the message ({exc.smtp_code})")
        return Outcome.retry(f"mail server answered {exc.smtp_code}")
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        _drop_broken_connection()  # the next message opens a fresh one
        return Outcome.retry(f"mail server unreachable: {type(exc).__name__}")
    return Outcome.sent(message_id)
