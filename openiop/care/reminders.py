"""Homework reminders through notify: one per occurrence, on the morning of its due day.

Wording is discreet: a reminder on a lock screen says nothing about therapy or homework.
The key names the occurrence, so scheduling twice is one reminder and handing the homework
in withdraws it.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from openiop.care.models import Occurrence
from openiop.notify.services import notify_send, notify_withdraw
from openiop.programs.models import Client

SUBJECT = "A reminder from your program"
BODY = "You have something to finish in the app."
REMIND_AT = time(9, 0)  # on the due day, in the client's zone
SOON = timedelta(minutes=5)  # due today and 9:00 has passed: shortly after assigning


def due_key(occurrence: Occurrence) -> str:
    return f"care:homework:{occurrence.pk}:due"


def schedule_due(occurrence: Occurrence, client: Client) -> None:
    """Queue the reminder inside the caller's transaction (notify_send requires it)."""
    now = timezone.now()
    send_at = datetime.combine(occurrence.due_on, REMIND_AT, tzinfo=ZoneInfo(client.time_zone))
    notify_send(
        user=client.user,
        key=due_key(occurrence),
        subject=SUBJECT,
        body=BODY,
        send_at=max(send_at, now + SOON),
        link=reverse("care:my_homework_item", args=[occurrence.pk]),
    )


def withdraw_due(occurrence: Occurrence) -> None:
    notify_withdraw(key_prefix=due_key(occurrence))
