"""Exactly once from the recipient's view: racing workers, a task that runs twice, overlapping
sweeps. (Two real worker processes against one database: bench/notify_dispatch.py, which
counts duplicate Message-IDs at an SMTP sink; a worker killed mid-send: test_sms.py and
test_email_sink.py.)"""

from datetime import UTC, datetime

import time_machine
from django.db import transaction

from openiop.conftest import World
from openiop.notify.delivery import _claim, _claim_batch, _send_claimed, deliver, dispatch_due
from openiop.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageState
from openiop.notify.services import notify_send

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def _queue(world: World, count: int) -> list[int]:
    with transaction.atomic():
        return [
            m.pk
            for n in range(count)
            for m in notify_send(
                user=world.alex.user,
                key=f"race:{n}",
                subject="Reminder",
                body="Open the app for details.",
                channels=["email"],
            )
        ]


@time_machine.travel(NOW, tick=False)
def test_only_the_worker_whose_claim_won_sends(world: World, mailoutbox: list) -> None:
    (pk,) = _queue(world, 1)
    assert _claim(pk, "worker-a", NOW) is True
    assert _claim(pk, "worker-b", NOW) is False  # the row is no longer pending
    assert deliver(pk, worker="worker-b") == "skipped"
    assert _send_claimed(pk, "worker-a") == MessageState.SENT
    assert len(mailoutbox) == 1
    assert Message.objects.get(pk=pk).claimed_by == "worker-a"


@time_machine.travel(NOW, tick=False)
def test_a_task_that_runs_twice_sends_once(world: World, mailoutbox: list) -> None:
    (pk,) = _queue(world, 1)
    assert deliver(pk) == MessageState.SENT
    assert deliver(pk) == "skipped"
    assert len(mailoutbox) == 1
    assert DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT).count() == 1


@time_machine.travel(NOW, tick=False)
def test_overlapping_batch_claims_split_the_messages(world: World) -> None:
    ids = _queue(world, 4)
    assert _claim_batch(ids[:3], "worker-a", NOW) == ids[:3]
    assert _claim_batch(ids[1:], "worker-b", NOW) == ids[3:]


@time_machine.travel(NOW, tick=False)
def test_two_sweeps_over_the_same_messages_send_each_once(world: World, mailoutbox: list) -> None:
    _queue(world, 6)
    first = dispatch_due(worker="worker-a", claim_size=4)
    second = dispatch_due(worker="worker-b", claim_size=4)
    assert first["sent"] == 6 and "sent" not in second
    assert len(mailoutbox) == 6
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 6
