"""SMS through the Twilio-format adapter, against a local fake provider: 2xx, 4xx, 5xx, STOP."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse

from openiop.conftest import World
from openiop.notify.channels import sms
from openiop.notify.channels.email import full_link
from openiop.notify.delivery import LEASE, deliver, dispatch_due
from openiop.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageState, Preference
from openiop.notify.selectors import unreachable_users
from openiop.notify.services import notify_send, preference_ensure
from openiop.notify.tests.fake_sms import SID, TOKEN, FakeSms, fake_sms_server

PHONE = "+13125550142"
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 10:00 in Chicago: not quiet


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeSms]:
    with fake_sms_server() as server:
        settings.SMS_API_BASE = server.base
        settings.SMS_ACCOUNT_SID = SID
        settings.SMS_AUTH_TOKEN = TOKEN
        settings.SMS_FROM = "+13125550100"
        yield server


@pytest.fixture
def texted(world: World) -> Message:
    preference_ensure(user=world.alex.user, phone=PHONE)
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        (message,) = notify_send(
            user=world.alex.user,
            key="session:1:1:1h",
            subject="Reminder",
            body="You have an appointment at 11:00 AM. Open the app for details.",
            channels=["sms"],
            link="/my-week/",
        )
    return message


@time_machine.travel(NOW, tick=False)
def test_accepted_text_is_sent_with_the_provider_id(fake: FakeSms, texted: Message) -> None:
    assert deliver(texted.pk) == MessageState.SENT
    texted.refresh_from_db()
    (accepted,) = fake.accepted
    assert accepted["to"] == PHONE and accepted["body"].endswith("/my-week/")
    assert texted.provider_id == accepted["sid"]
    assert DeliveryAttempt.objects.get(message=texted).outcome == AttemptOutcome.SENT


@time_machine.travel(NOW, tick=False)
def test_invalid_number_fails_for_good_and_staff_see_it(
    fake: FakeSms, texted: Message, world: World
) -> None:
    fake.invalid_numbers.add(PHONE)
    assert deliver(texted.pk) == MessageState.FAILED
    texted.refresh_from_db()
    assert "21211" in texted.error
    assert Preference.objects.get(user=world.alex.user).phone_invalid_at == NOW
    assert unreachable_users([world.alex.user.pk]) == {
        world.alex.user.pk: "Mobile number refused by the text provider"
    }
    # No retry: the sweeper finds nothing due, later either.
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert dispatch_due() == {"recovered": 0}
    assert fake.requests == 1


def test_server_errors_retry_with_growing_backoff(fake: FakeSms, texted: Message) -> None:
    fake.fail_next = [503, 500]
    with time_machine.travel(NOW, tick=False):
        assert deliver(texted.pk) == MessageState.PENDING
    texted.refresh_from_db()
    assert texted.due_at == NOW + timedelta(seconds=30)
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        assert deliver(texted.pk) == "skipped"  # not due yet
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        assert dispatch_due()["pending"] == 1
    texted.refresh_from_db()
    assert texted.due_at == NOW + timedelta(seconds=90)
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        assert dispatch_due()["sent"] == 1
    outcomes = _outcomes(texted)
    assert outcomes == ["retry", "retry", "sent"]
    assert len(fake.accepted) == 1


@time_machine.travel(NOW, tick=False)
def test_provider_unsubscribed_answer_counts_as_an_opt_out(
    fake: FakeSms, texted: Message, world: World
) -> None:
    fake.unsubscribed_numbers.add(PHONE)
    assert deliver(texted.pk) == MessageState.FAILED
    assert Preference.objects.get(user=world.alex.user).sms_opted_out_at == NOW


@time_machine.travel(NOW, tick=False)
def test_crash_after_the_provider_accepted_is_recovered_without_a_second_text(
    fake: FakeSms, texted: Message
) -> None:
    # A worker claims, records its attempt, the provider accepts, and the worker dies before
    # it can record success.
    Message.objects.filter(pk=texted.pk).update(
        state=MessageState.SENDING, claimed_by="dead:1", claimed_at=NOW, attempts=1
    )
    DeliveryAttempt.objects.create(message=texted, worker="dead:1", started_at=NOW)
    body = f"{texted.body} {full_link('/my-week/')}"
    sms.send_sms(to=PHONE, body=body, idempotency_key="x")
    with time_machine.travel(NOW + LEASE - timedelta(seconds=1), tick=False):
        assert dispatch_due()["recovered"] == 0  # the lease still holds
    with time_machine.travel(NOW + LEASE + timedelta(seconds=1), tick=False):
        assert dispatch_due()["recovered"] == 1
    texted.refresh_from_db()
    assert texted.state == MessageState.SENT
    assert len(fake.accepted) == 1
    outcomes = _outcomes(texted)
    assert outcomes == ["started", "recovered"]


@time_machine.travel(NOW, tick=False)
def test_crash_before_the_provider_was_called_sends_once_after_the_lease(
    fake: FakeSms, texted: Message
) -> None:
    Message.objects.filter(pk=texted.pk).update(
        state=MessageState.SENDING, claimed_by="dead:1", claimed_at=NOW, attempts=1
    )
    with time_machine.travel(NOW + LEASE + timedelta(seconds=1), tick=False):
        dispatch_due()
        dispatch_due()
    texted.refresh_from_db()
    assert texted.state == MessageState.SENT
    assert len(fake.accepted) == 1


def _outcomes(message: Message) -> list[str]:
    return list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True))


def _signed_post(client: HttpClient, settings: Any, data: dict[str, str], token: str) -> Any:
    url = f"{settings.OPENIOP_BASE_URL}{reverse('notify:sms_inbound')}"
    signature = sms.signature(token, url, {k: [v] for k, v in data.items()})
    return client.post(
        reverse("notify:sms_inbound"), data, headers={"X-Twilio-Signature": signature}
    )


def test_stop_reply_opts_out_and_withdraws_queued_texts(
    client: HttpClient, settings: Any, fake: FakeSms, texted: Message, world: World
) -> None:
    response = _signed_post(client, settings, {"From": PHONE, "Body": " Stop "}, TOKEN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    pref = Preference.objects.get(user=world.alex.user)
    assert pref.sms_opted_out_at is not None
    texted.refresh_from_db()
    assert texted.state == MessageState.CANCELLED
    # Channels chosen afterwards leave SMS out.
    with transaction.atomic():
        later = notify_send(
            user=world.alex.user, key="k2", subject="Reminder", body="Open the app for details."
        )
    assert "sms" not in {m.channel for m in later}
    _signed_post(client, settings, {"From": PHONE, "Body": "START"}, TOKEN)
    pref.refresh_from_db()
    assert pref.sms_opted_out_at is None


def test_reply_with_a_bad_signature_is_refused_and_changes_nothing(
    client: HttpClient, settings: Any, fake: FakeSms, texted: Message, world: World
) -> None:
    response = _signed_post(client, settings, {"From": PHONE, "Body": "STOP"}, "wrong-token")
    assert response.status_code == 403
    assert Preference.objects.get(user=world.alex.user).sms_opted_out_at is None


def test_signature_matches_twilios_published_example() -> None:
    # From Twilio's security documentation (webhook request validation).
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675310"],
        "Digits": ["1234"],
        "From": ["+14158675310"],
        "To": ["+18005551212"],
    }
    assert sms.signature("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
