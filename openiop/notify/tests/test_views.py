"""The inbox (/inbox/) and the preferences page (/me/notifications/)."""

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

import time_machine
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.notify.delivery import deliver
from openiop.notify.models import Message, Preference
from openiop.notify.services import notify_send, staff_task_add

Login = Callable[[User], HttpClient]


# Midday in Chicago: outside every test person's quiet hours, so delivery is at once.
MIDDAY = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@time_machine.travel(MIDDAY, tick=False)
def _inbox_message(user: User, key: str = "k1") -> Message:
    with transaction.atomic():
        (message,) = notify_send(
            user=user,
            key=key,
            subject="Reminder",
            body="You have something to do today. Open the app for details.",
            channels=["inapp"],
            link="/my-week/",
        )
    deliver(message.pk)
    return message


def test_inbox_shows_arrived_messages_and_marks_them_read(
    world: World, login_as: Login, django_assert_num_queries: Any
) -> None:
    message = _inbox_message(world.alex.user)
    http = login_as(world.alex.user)
    # session, user, the messages; the session's idle stamp saved (savepoint, update, release)
    with django_assert_num_queries(6):
        page = http.get(reverse("notify:inbox"))
    assert page.status_code == 200
    assert b"You have something to do today" in page.content
    assert b"Unread: " in page.content
    assert reverse("notify:inbox").encode() in page.content  # nav link
    http.post(reverse("notify:inbox_read", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at is not None


def test_nobody_marks_anothers_message_read(world: World, login_as: Login) -> None:
    message = _inbox_message(world.alex.user)
    login_as(world.blair.user).post(reverse("notify:inbox_read", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at is None


def test_staff_see_their_follow_ups_and_mark_them_done(world: World, login_as: Login) -> None:
    from django.utils import timezone

    with transaction.atomic():
        task = staff_task_add(
            user=world.casey, key="t1", title="Call a client back", due_at=timezone.now()
        )
    http = login_as(world.casey)
    assert b"Call a client back" in http.get(reverse("notify:inbox")).content
    assert http.post(reverse("notify:task_done", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    # Someone else's task is a 404.
    other = login_as(world.quinn).post(reverse("notify:task_done", args=[task.pk]))
    assert other.status_code == 404


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "email_on": "on",
        "inapp_on": "on",
        "phone": "",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "time_zone": "America/Chicago",
        "language": "en",
        "discreet": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_preferences_saved_with_the_phone_in_e164(world: World, login_as: Login) -> None:
    http = login_as(world.alex.user)
    assert http.get(reverse("notify:preferences")).status_code == 200
    response = http.post(reverse("notify:preferences"), _form(sms_on="on", phone="(312) 555-0142"))
    assert response.status_code == 302
    pref = Preference.objects.get(user=world.alex.user)
    assert pref.phone == "+13125550142"
    assert pref.sms_on and pref.discreet
    assert (pref.quiet_start, pref.quiet_end) == (time(22, 0), time(7, 30))


def test_invalid_phone_is_refused_and_nothing_written(world: World, login_as: Login) -> None:
    http = login_as(world.alex.user)
    response = http.post(reverse("notify:preferences"), _form(sms_on="on", phone="555"))
    assert response.status_code == 200
    assert b"not a valid phone number" in response.content
    assert not Preference.objects.filter(user=world.alex.user).exists()


def test_texts_without_a_number_or_no_channel_at_all_are_refused(
    world: World, login_as: Login
) -> None:
    http = login_as(world.alex.user)
    response = http.post(reverse("notify:preferences"), _form(sms_on="on"))
    assert b"Enter a mobile number" in response.content
    response = http.post(reverse("notify:preferences"), _form(email_on=None, inapp_on=None))
    assert b"at least one way" in response.content
    assert not Preference.objects.filter(user=world.alex.user).exists()


def test_preferences_need_a_login(client: HttpClient) -> None:
    assert client.get(reverse("notify:preferences")).status_code == 302
    assert client.get(reverse("notify:inbox")).status_code == 302
