"""Homework reminders through the notify app, when it offers ``notify_send``.

Wording is discreet: a reminder on a lock screen says nothing about therapy or homework.
The key names the occurrence, so scheduling twice is one reminder and submitting withdraws it.
"""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from openiop.care.models import Occurrence
from openiop.programs.models import Client

SUBJECT = "A reminder from your program"
BODY = "You have something to finish in the app."
REMIND_AT = time(9, 0)  # on the due day, in the client's zone


def due_key(occurrence: Occurrence) -> str:
    return f"care:homework:{occurrence.pk}:due"


def _notify() -> Any:
    try:
        from openiop.notify import services
    except ImportError:
        return None
    return services


def schedule_due(occurrence: Occurrence, client: Client) -> None:
    notify = _notify()
    send = getattr(notify, "notify_send", None)
    if send is None:
        return
    zone = ZoneInfo(client.time_zone)
    send_at = datetime.combine(occurrence.due_on, REMIND_AT, tzinfo=zone)
    if send_at <= timezone.now():
        send_at = timezone.now() + timedelta(minutes=5)
    send(
        user=client.user,
        key=due_key(occurrence),
        subject=SUBJECT,
        body=BODY,
        send_at=send_at,
        link=reverse("care:my_homework_item", args=[occurrence.pk]),
    )


def withdraw_due(occurrence: Occurrence) -> None:
    notify = _notify()
    withdraw = getattr(notify, "notify_withdraw", None)
    if withdraw is not None:
        withdraw(key_prefix=due_key(occurrence))
