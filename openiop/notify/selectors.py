"""Reads: a person's inbox and open tasks, and what staff should know about delivery."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from openiop.notify.models import Channel, Message, MessageState, Preference, StaffTask

INBOX_LIMIT = 50


def inbox_for(user: Any) -> list[Message]:
    """The newest in-app messages that have arrived (one query)."""
    return list(
        Message.objects.filter(user_id=user.pk, channel=Channel.INAPP, state=MessageState.SENT)
        .only("pk", "subject", "body", "link", "sent_at", "read_at")
        .order_by("-sent_at", "-pk")[:INBOX_LIMIT]
    )


def unread_count(user: Any) -> int:
    return Message.objects.filter(
        user_id=user.pk, channel=Channel.INAPP, state=MessageState.SENT, read_at__isnull=True
    ).count()


def open_tasks_for(user: Any) -> QuerySet[StaffTask]:
    return StaffTask.objects.filter(user_id=user.pk, done_at__isnull=True).order_by("due_at")


def open_tasks_by_client(client_ids: Iterable[int]) -> dict[int, list[StaffTask]]:
    """Open staff tasks about these clients (one query)."""
    found: dict[int, list[StaffTask]] = {}
    for task in StaffTask.objects.filter(client_id__in=list(client_ids), done_at__isnull=True):
        found.setdefault(int(task.client_id or 0), []).append(task)
    return found


def unreachable_users(user_ids: Iterable[int]) -> dict[int, str]:
    """Users whose address was refused by a provider, or who texted STOP: {user_id: why}.
    Shown to staff so someone can ask for a new number (one query)."""
    why: dict[int, str] = {}
    for pref in Preference.objects.filter(user_id__in=list(user_ids)).only(
        "user_id", "phone_invalid_at", "email_invalid_at", "sms_opted_out_at", "sms_on"
    ):
        if pref.sms_on and pref.phone_invalid_at:
            why[pref.user_id] = "Mobile number refused by the text provider"
        elif pref.email_invalid_at:
            why[pref.user_id] = "Email address refused by the mail server"
        elif pref.sms_on and pref.sms_opted_out_at:
            why[pref.user_id] = "Replied STOP to texts"
    return why
