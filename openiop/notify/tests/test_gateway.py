"""notify_send / notify_withdraw: one row per channel, idempotent, discreet, quiet hours."""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.db import transaction

from openiop.conftest import World
from openiop.notify.channels.email import message_id_for
from openiop.notify.delivery import dispatch_due
from openiop.notify.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageState,
    Preference,
)
from openiop.notify.services import (
    DiscreetWordingError,
    notify_send,
    notify_withdraw,
    preference_ensure,
)

NEUTRAL = "You have an appointment at 6:00 PM. Open the app for details."
# 16:00 UTC is 10:00 in Chicago (CST) and 21:30 in Kolkata: outside and inside quiet hours.
NOON = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def _send(user: Any, key: str = "test:1", **kwargs: Any) -> list[Message]:
    kwargs.setdefault("subject", "Reminder")
    kwargs.setdefault("body", NEUTRAL)
    with transaction.atomic():
        return notify_send(user=user, key=key, **kwargs)


@time_machine.travel(NOON, tick=False)
def test_one_message_per_channel_sent_once_it_commits(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    user = world.alex.user
    with django_capture_on_commit_callbacks(execute=True):
        messages = _send(user, link="/schedule/")
    assert sorted(m.channel for m in messages) == [Channel.EMAIL, Channel.INAPP]
    assert {m.state for m in Message.objects.all()} == {MessageState.SENT}
    (email,) = mailoutbox
    assert email.to == [user.email]
    assert email.extra_headers["Message-ID"] == message_id_for("test:1")
    assert "/schedule/" in email.body
    assert DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT).count() == 2


@time_machine.travel(NOON, tick=False)
def test_second_call_with_the_same_key_returns_the_rows_and_sends_nothing(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(world.alex.user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = _send(world.alex.user, body="Another text. Open the app.")
    assert [m.pk for m in first] == [m.pk for m in second]
    assert callbacks == []
    assert len(mailoutbox) == 1
    assert Message.objects.count() == 2


def test_refused_outside_a_transaction(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run inside a transaction; pretend the caller forgot to open one.
    monkeypatch.setattr(
        "openiop.notify.services.connection", SimpleNamespace(in_atomic_block=False)
    )
    with pytest.raises(RuntimeError):
        notify_send(user=world.alex.user, key="k", subject="s", body=NEUTRAL)


@pytest.mark.parametrize(
    "body",
    [
        "Your therapy group starts at 6.",
        "Time for your Depression check-in.",
        "Your counselor is waiting.",
        "Trauma-informed skills group tonight.",
        "Fill in the PHQ-9 today.",
    ],
)
def test_client_message_naming_care_is_refused_and_nothing_written(world: World, body: str) -> None:
    with pytest.raises(DiscreetWordingError):
        _send(world.alex.user, body=body)
    assert Message.objects.count() == 0


def test_staff_page_may_name_care(world: World) -> None:
    messages = _send(world.casey, body="Risk alert for a client on your caseload.", staff=True)
    assert sorted(m.channel for m in messages) == [Channel.EMAIL, Channel.INAPP]


def test_a_client_who_turned_discreet_mode_off_may_get_plain_words(world: World) -> None:
    pref = preference_ensure(user=world.alex.user)
    Preference.objects.filter(pk=pref.pk).update(discreet=False)
    assert _send(world.alex.user, body="Your therapy group starts at 6.")


@time_machine.travel(NOON, tick=False)
def test_withdraw_cancels_pending_only_and_a_new_send_revives(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    later = NOON + timedelta(days=1)
    _send(world.alex.user, key="session:7:1:24h", send_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        _send(world.alex.user, key="session:8:1:24h")  # sent now
    assert notify_withdraw(key_prefix="session:7:") == 2
    assert notify_withdraw(key_prefix="session:8:") == 0
    assert Message.objects.filter(state=MessageState.CANCELLED).count() == 2
    revived = _send(world.alex.user, key="session:7:1:24h", send_at=later + timedelta(hours=1))
    assert {m.state for m in revived} == {MessageState.PENDING}
    assert {m.send_at for m in revived} == {later + timedelta(hours=1)}


def test_quiet_hours_shift_a_client_message_later_in_their_zone(world: World) -> None:
    pref = preference_ensure(user=world.alex.user)
    Preference.objects.filter(pk=pref.pk).update(
        time_zone="Asia/Kolkata", quiet_start=time(21, 0), quiet_end=time(8, 0)
    )
    (message, *_rest) = _send(world.alex.user, send_at=NOON)  # 21:30 in Kolkata
    # 08:00 the next morning in Kolkata (UTC+5:30) is 02:30 UTC.
    assert message.due_at == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert message.send_at == NOON


def test_staff_urgent_page_ignores_quiet_hours(world: World) -> None:
    pref = preference_ensure(user=world.casey)
    Preference.objects.filter(pk=pref.pk).update(time_zone="Asia/Kolkata")
    (message, *_rest) = _send(world.casey, send_at=NOON, staff=True, body="Alert")
    assert message.due_at == NOON


def test_future_message_waits_for_the_sweeper(world: World, mailoutbox: list) -> None:
    with time_machine.travel(NOON, tick=False):
        _send(world.alex.user, send_at=NOON + timedelta(hours=2))
        assert dispatch_due() == {"recovered": 0}
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert dispatch_due()["sent"] == 2
    assert len(mailoutbox) == 1
