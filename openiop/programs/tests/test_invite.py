"""The client's invitation: an email with no clinical detail and a one-time link.

The link opens /invite/<uidb64>/<token>/, where the client chooses a password under the
project's password rules, and then arrives signed in at their home page. A used, expired or
replaced link explains itself and points to the care team. Staff resend from the overview.
"""

import re
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World
from openiop.programs.invites import SUBJECT, invite_path
from openiop.programs.models import Referral
from openiop.programs.tasks import send_client_invite
from openiop.programs.tests.referral_support import PROVIDER, REASON, make_referral, snapshot

NEW_PASSWORD = "maple leaves in late october"
LINK = re.compile(r"http://testserver(/invite/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _documents(settings: Any, tmp_path: Path) -> None:
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path / "documents"
    settings.OPENIOP_BASE_URL = "http://testserver"
    settings.OPENIOP_CLINIC_NAME = "Northwind Health"


@pytest.fixture
def referral(world: World, django_capture_on_commit_callbacks: Any) -> Referral:
    with django_capture_on_commit_callbacks(execute=True):
        return make_referral(world)


def _link(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(1)


# The email ----------------------------------------------------------------------------------


def test_the_invitation_carries_a_link_and_no_clinical_detail(
    world: World, referral: Referral, mailoutbox: list
) -> None:
    (message,) = mailoutbox
    assert message.subject == SUBJECT == "Your OpenIOP account"
    assert message.to == ["robin@example.test"]
    body = message.body
    assert "Your care team at Northwind Health has set up an OpenIOP account" in body
    assert _link(message).startswith("/invite/")
    everything = f"{message.subject}\n{body}\n{message.message().as_string()}"
    for clinical in (
        REASON,
        "inpatient",
        "depress",
        PROVIDER,
        "Lakeview",
        world.program.name,
        "Maple",
        "Intensive",
        "outpatient",
        "Newperson",
        "1994",
    ):
        assert clinical.lower() not in everything.lower(), clinical
    # "IOP" only inside the product's name, which the subject must carry.
    assert not re.search(r"\bIOP\b", everything)
    assert not message.attachments


def test_the_task_skips_an_account_that_already_has_a_password(world: World) -> None:
    assert send_client_invite.call(user_id=world.alex.user_id) == "skipped"
    assert send_client_invite.call(user_id=world.casey.pk) == "skipped"
    assert send_client_invite.call(user_id=999999) == "skipped"
    assert mail.outbox == []


# The link -----------------------------------------------------------------------------------


def test_the_link_sets_the_password_once_and_signs_the_client_in(
    world: World, referral: Referral, mailoutbox: list, client: HttpClient
) -> None:
    link = _link(mailoutbox[0])
    page = client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert '<label for="id_password1">Choose a password</label>' in body
    assert "at least 12 characters" in body  # the project's password rules, shown up front
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = referral.enrollment.client.user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.last_login is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    home = client.get("/", follow=True)
    assert home.status_code == 200
    # Their home page: onboarding on a first sign-in (or their record once it is done).
    assert home.redirect_chain[-1][0].startswith(("/welcome/", "/me/"))
    assert AuditEvent.objects.filter(
        actor=user, action="update", object_type="user.password"
    ).exists()
    assert AuditEvent.objects.filter(actor=user, action="login").exists()
    # Used: the same link now explains itself, and the password stays.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "no longer works" in again.content.decode()
    assert "ask your care team" in again.content.decode().lower()
    before = snapshot()
    replay = client.post(link, {"password1": "another long passphrase", "password2": "x"})
    assert replay.status_code == 410
    assert snapshot() == before
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "too short"),
        ("password12345", "password12345", "too common"),
        ("robin@example.test", "robin@example.test", "too similar"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "not the same"),
        ("", "", "This field is required"),
    ],
)
def test_a_refused_password_shows_the_rule_and_keeps_the_link(
    world: World,
    referral: Referral,
    mailoutbox: list,
    client: HttpClient,
    password1: str,
    password2: str,
    message: str,
) -> None:
    link = _link(mailoutbox[0])
    before = snapshot()
    response = client.post(link, {"password1": password1, "password2": password2})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert message in body
    assert snapshot() == before
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 200


def test_an_expired_link_explains_itself(
    world: World, referral: Referral, mailoutbox: list, client: HttpClient
) -> None:
    link = _link(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(link).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        response = client.get(link)
        assert response.status_code == 410
        assert "ask your care team" in response.content.decode().lower()
        posted = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert posted.status_code == 410
    user = referral.enrollment.client.user
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda uid, token: (uid, token[:-1] + ("0" if token[-1] != "0" else "1")),
        lambda uid, token: ("MTIzNDU2Nzg5", token),  # another (missing) user id
        lambda uid, token: ("not-base64!", token),
        lambda uid, token: (uid, "nonsense"),
        lambda uid, token: (uid, "zzzzzzzzzzzzzzzzzzzzzzzz-abc"),
    ],
)
def test_a_tampered_link_explains_itself(
    world: World, referral: Referral, mailoutbox: list, client: HttpClient, mangle: Any
) -> None:
    _, _, uid, token, _ = _link(mailoutbox[0]).split("/")
    bad_uid, bad_token = mangle(uid, token)
    response = client.get(f"/invite/{bad_uid}/{bad_token}/")
    assert response.status_code == 410


def test_a_link_for_a_staff_account_never_works(world: World, client: HttpClient) -> None:
    world.casey.set_unusable_password()
    world.casey.save()
    assert client.get(invite_path(world.casey)).status_code == 410


# Resending ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["casey", "dale"])
def test_staff_resend_and_the_old_link_stops_working(
    world: World,
    referral: Referral,
    mailoutbox: list,
    login_as: Callable[[User], HttpClient],
    django_capture_on_commit_callbacks: Any,
    name: str,
) -> None:
    old_link = _link(mailoutbox[0])
    staff = getattr(world, name)
    http = login_as(staff)
    client_id = referral.enrollment.client_id
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/clients/{client_id}/invite/")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client_id}/"
    assert len(mailoutbox) == 2
    new_link = _link(mailoutbox[1])
    assert new_link != old_link
    assert AuditEvent.objects.filter(
        actor=staff, action="create", object_type="client_invite"
    ).exists()
    http.logout()
    assert http.get(old_link).status_code == 410
    assert http.get(new_link).status_code == 200


def test_resending_after_the_password_is_set_is_refused(
    world: World,
    login_as: Callable[[User], HttpClient],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    http = login_as(world.casey)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/clients/{world.alex.pk}/invite/")
    assert response.status_code == 302
    assert snapshot() == before
    assert "already chosen a password" in http.get(response["Location"]).content.decode()
    world.alex.user.refresh_from_db()
    assert world.alex.user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "name", ["quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "fay"]
)
def test_others_cannot_resend(
    world: World,
    referral: Referral,
    login_as: Callable[[User], HttpClient],
    mailoutbox: list,
    name: str,
) -> None:
    before = snapshot()
    response = login_as(getattr(world, name)).post(
        f"/clients/{referral.enrollment.client_id}/invite/"
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_resend_is_post_only(
    world: World, referral: Referral, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(world.casey).get(f"/clients/{referral.enrollment.client_id}/invite/")
    assert response.status_code == 405


# A real SMTP conversation -------------------------------------------------------------------


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[_Sink]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


def test_the_invitation_goes_over_smtp(
    world: World, smtp_sink: _Sink, django_capture_on_commit_callbacks: Any, client: HttpClient
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(world)
    ((mail_from, recipients, message),) = smtp_sink.messages
    assert recipients == ["robin@example.test"]
    assert "no-reply@" in mail_from
    assert message["Subject"] == "Your OpenIOP account"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert REASON not in body and "Maple" not in body
    found = LINK.search(body)
    assert found
    response = client.post(found.group(1), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = referral.enrollment.client.user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_setting_the_password_is_filed_under_the_client(
    world: World, referral: Referral, mailoutbox: list, client: HttpClient
) -> None:
    from openiop.audit.models import AuditEvent

    link = _link(mailoutbox[0])
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    event = AuditEvent.objects.filter(object_type="user.password").latest("seq")
    assert event.client_id == referral.enrollment.client_id
