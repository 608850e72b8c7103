"""Delivering a message exactly once, whatever the workers do.

1. **Claim** with a conditional UPDATE (pending and due -> sending, with this worker's name).
   Only one worker's UPDATE changes the row, so two workers, or a task that runs twice, send
   once; the loser does nothing.
2. **Record the attempt** (a DeliveryAttempt "started") and commit it *before* calling the
   channel, so a worker killed mid-send leaves a trace.
3. **Send**, then commit the outcome in one transaction: sent; retry later (pending again,
   ``due_at`` pushed back exponentially); or failed for good (and a bad address marked).
4. A claim still "sending" after ``LEASE`` belonged to a worker that died. ``dispatch_due``
   re-claims it (conditional UPDATE on the old claim) and, since the old attempt may or may
   not have reached the provider, asks first: an SMS is looked up at the provider and, if
   found, recorded as sent (no second text); an email goes again with the *same* Message-ID,
   which the receiving side recognises as the same message. In-app messages are rows, so
   they are never doubled.
"""

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openiop.notify.channels import Outcome, email, sms
from openiop.notify.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageState,
    Preference,
)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
CLAIM_SIZE = 50


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour, after the ``attempts``-th try failed."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(message_id: int, worker: str, now: datetime) -> bool:
    return bool(
        Message.objects.filter(pk=message_id, state=MessageState.PENDING, due_at__lte=now).update(
            state=MessageState.SENDING,
            claimed_by=worker,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )


def _reclaim_stale(message: Message, worker: str, now: datetime) -> bool:
    return bool(
        Message.objects.filter(
            pk=message.pk,
            state=MessageState.SENDING,
            claimed_by=message.claimed_by,
            claimed_at=message.claimed_at,
        ).update(claimed_by=worker, claimed_at=now, attempts=F("attempts") + 1)
    )


def _address(message: Message, pref: Preference | None) -> tuple[str, str]:
    """(address, reason it cannot be used)."""
    if message.channel == Channel.EMAIL:
        if pref is not None and pref.email_invalid_at is not None:
            return "", "the email address was refused before"
        address = message.user.email
        return address, "" if address else "no email address"
    if message.channel == Channel.SMS:
        if pref is None or not pref.phone:
            return "", "no mobile number"
        if pref.sms_opted_out_at is not None:
            return pref.phone, "opted out of text messages (STOP)"
        if pref.phone_invalid_at is not None:
            return pref.phone, "the mobile number was refused before"
        return pref.phone, ""
    return "inbox", ""


def _hand_over(message: Message, address: str, *, recovering: datetime | None) -> Outcome:
    if message.channel == Channel.INAPP:
        return Outcome.sent()
    if message.channel == Channel.SMS:
        text = message.body
        if message.link:
            text += f" {email.full_link(message.link)}"
        if recovering is not None:
            found = sms.find_sent(to=address, body=text, since=recovering)
            if found:
                return Outcome("sent", provider_id=found, error="recovered")
        return sms.send_sms(to=address, body=text, idempotency_key=f"{message.key}|sms")
    return email.send_email(
        to=address,
        subject=message.subject,
        body=message.body,
        link=message.link,
        key=message.key,
    )


@transaction.atomic
def _finish(message: Message, attempt: DeliveryAttempt, outcome: Outcome, worker: str) -> str:
    now = timezone.now()
    attempt.finished_at = now
    attempt.provider_id = outcome.provider_id
    attempt.error = outcome.error
    updates: dict[str, Any] = {
        "error": outcome.error,
        "provider_id": outcome.provider_id,
        "address": message.address,
    }
    if outcome.kind == "sent":
        attempt.outcome = (
            AttemptOutcome.RECOVERED if outcome.error == "recovered" else AttemptOutcome.SENT
        )
        updates.update(state=MessageState.SENT, sent_at=now, error="")
    elif outcome.kind == "retry" and message.attempts < MAX_ATTEMPTS:
        attempt.outcome = AttemptOutcome.RETRY
        updates.update(state=MessageState.PENDING, due_at=now + backoff(message.attempts))
    else:
        attempt.outcome = AttemptOutcome.FAILED
        updates.update(state=MessageState.FAILED)
    attempt.save()
    # Only the claim holder may finish; a lost lease means someone else now owns the row.
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, claimed_by=worker).update(
        **updates
    )
    if outcome.address_invalid or outcome.opted_out:
        field = {
            Channel.SMS: "sms_opted_out_at" if outcome.opted_out else "phone_invalid_at",
            Channel.EMAIL: "email_invalid_at",
        }.get(Channel(message.channel))
        if field:
            Preference.objects.filter(user_id=message.user_id).update(**{field: now})
    if updates["state"] == MessageState.PENDING:
        _requeue(message.pk, updates["due_at"])
    return str(updates["state"])


def _requeue(message_id: int, due_at: datetime) -> None:
    from openiop.notify.tasks import deliver_message

    def enqueue() -> None:
        task = deliver_message
        if task.get_backend().supports_defer:
            task = task.using(run_after=due_at)
        task.enqueue(message_id)

    transaction.on_commit(enqueue)


def _skip(message: Message, worker: str, reason: str) -> str:
    with transaction.atomic():
        now = timezone.now()
        DeliveryAttempt.objects.create(
            message=message,
            worker=worker,
            started_at=now,
            finished_at=now,
            outcome=AttemptOutcome.SKIPPED,
            error=reason[:300],
        )
        Message.objects.filter(pk=message.pk, state=MessageState.SENDING, claimed_by=worker).update(
            state=MessageState.FAILED, error=reason[:300]
        )
    return str(MessageState.FAILED)


def _send_claimed(message_id: int, worker: str, *, recovering: datetime | None = None) -> str:
    message = Message.objects.select_related("user").get(pk=message_id)
    pref = Preference.objects.filter(user_id=message.user_id).first()
    address, problem = _address(message, pref)
    if problem:
        return _skip(message, worker, problem)
    message.address = address
    # Committed before the provider is called (we run outside any transaction), so a crash
    # mid-send leaves a "started" attempt for the next worker to find.
    attempt = DeliveryAttempt.objects.create(message=message, worker=worker)
    if message.channel == Channel.INAPP:
        return _finish(message, attempt, Outcome.sent(), worker)
    outcome = _hand_over(message, address, recovering=recovering)
    return _finish(message, attempt, outcome, worker)


def deliver(message_id: int, *, worker: str | None = None) -> str:
    """Try to send one message now; returns the state it ended in, or "skipped" when it was
    not this worker's to send (someone else claimed it, it was withdrawn, or it is not due)."""
    worker = worker or worker_name()
    if not _claim(message_id, worker, timezone.now()):
        return "skipped"
    return _send_claimed(message_id, worker)


def recover_stale(*, worker: str | None = None, limit: int = 100) -> int:
    """Re-examine messages whose sender died mid-send (claim older than ``LEASE``)."""
    worker = worker or worker_name()
    now = timezone.now()
    stale = Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - LEASE)
    handled = 0
    for message in stale.order_by("claimed_at")[:limit]:
        old_claim = message.claimed_at
        if not _reclaim_stale(message, worker, now):
            continue
        handled += 1
        if message.attempts + 1 > MAX_ATTEMPTS:
            _skip(message, worker, "gave up after a worker died mid-send too often")
            continue
        DeliveryAttempt.objects.filter(
            message=message, outcome=AttemptOutcome.STARTED, finished_at__isnull=True
        ).update(finished_at=now, error="worker stopped before recording an answer")
        _send_claimed(message.pk, worker, recovering=old_claim)
    return handled


def _claim_batch(ids: list[int], worker: str, now: datetime) -> list[int]:
    """Claim several due messages in one conditional UPDATE (one commit instead of one per
    message); returns those this worker won."""
    Message.objects.filter(pk__in=ids, state=MessageState.PENDING, due_at__lte=now).update(
        state=MessageState.SENDING,
        claimed_by=worker,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    mine = Message.objects.filter(
        pk__in=ids, state=MessageState.SENDING, claimed_by=worker, claimed_at=now
    )
    return list(mine.order_by("due_at", "pk").values_list("pk", flat=True))


def dispatch_due(
    *, worker: str | None = None, limit: int = 500, claim_size: int = CLAIM_SIZE
) -> dict[str, int]:
    """One pass of the sweeper: stale claims first, then every pending message that is due,
    claimed ``claim_size`` at a time (small, so a batch is sent well inside the lease).
    Safe to run in several processes at once: a message is sent only by the worker whose
    conditional UPDATE claimed it."""
    worker = worker or worker_name()
    counts: dict[str, int] = {"recovered": recover_stale(worker=worker)}
    due = Message.objects.filter(state=MessageState.PENDING, due_at__lte=timezone.now())
    ids = list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return counts
    with email.batch():
        for start in range(0, len(ids), claim_size):
            chunk = ids[start : start + claim_size]
            mine = _claim_batch(chunk, worker, timezone.now())
            counts["skipped"] = counts.get("skipped", 0) + len(chunk) - len(mine)
            for message_id in mine:
                state = _send_claimed(message_id, worker)
                counts[state] = counts.get(state, 0) + 1
    if not counts["skipped"]:
        del counts["skipped"]
    return counts
