"""Email through a real SMTP conversation with a local aiosmtpd sink."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from openiop.conftest import World
from openiop.notify.channels.email import message_id_for
from openiop.notify.delivery import LEASE, dispatch_due
from openiop.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageState
from openiop.notify.services import notify_send
from openiop.notify.tests.smtp_sink import Sink, smtp_mailers, smtp_sink

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    with smtp_sink() as server:
        settings.MAILERS = smtp_mailers(server.port)
        yield server


def _queue(world: World, count: int) -> list[Message]:
    with transaction.atomic():
        return [
            message
            for n in range(count)
            for message in notify_send(
                user=world.alex.user,
                key=f"test:{n}",
                subject="Reminder",
                body="You have an appointment at 6:00 PM. Open the app for details.",
                channels=["email"],
            )
        ]


@time_machine.travel(NOW, tick=False)
def test_a_pass_sends_each_message_once_over_one_connection(sink: Sink, world: World) -> None:
    _queue(world, 5)
    assert dispatch_due()["sent"] == 5
    assert dispatch_due() == {"recovered": 0}
    assert len(sink.received) == 5 and sink.duplicates() == 0
    assert sink.message_ids()[message_id_for("test:0")] == 1
    assert {m["To"] for m in sink.received} == {world.alex.user.email}


def test_mail_server_down_is_retried_later(settings: Any, world: World) -> None:
    with smtp_sink() as stopped:
        port = stopped.port
    settings.MAILERS = smtp_mailers(port)  # nothing listens there now
    (message,) = _queue(world, 1)
    with time_machine.travel(NOW, tick=False):
        assert dispatch_due()["pending"] == 1
    message.refresh_from_db()
    assert message.due_at == NOW + timedelta(seconds=30)
    assert DeliveryAttempt.objects.get().outcome == AttemptOutcome.RETRY


def test_resend_after_a_crash_carries_the_same_message_id(sink: Sink, world: World) -> None:
    """A worker died after the server took the mail but before recording it: the resend is
    recognisable as the same message (same Message-ID), which is what we promise for email."""
    (message,) = _queue(world, 1)
    with time_machine.travel(NOW, tick=False):
        dispatch_due()
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING, claimed_by="dead:1", claimed_at=NOW
    )
    with time_machine.travel(NOW + LEASE + timedelta(seconds=1), tick=False):
        assert dispatch_due()["recovered"] == 1
    assert [str(m["Message-ID"]) for m in sink.received] == [message_id_for("test:0")] * 2
    assert sink.duplicates() == 1  # detectable, and counted as such by the bench
