"""Signing in on the web: bad input, lockout, the second factor for staff, sign-out."""

from typing import TYPE_CHECKING

import pytest
from django.test import Client as HttpClient
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.views import BAD_CREDENTIALS, LOCKED_OUT
from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World, current_code, without_csrf

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse


def _comparable(body: bytes, email: str) -> str:
    """The page without what must differ: the typed email and the per-response CSRF token."""
    return without_csrf(body).replace(email, "EMAIL")


def _post_login(client: HttpClient, email: str, password: str) -> "_MonkeyPatchedWSGIResponse":
    return client.post("/login/", {"email": email, "password": password})


def test_client_signs_in_without_second_factor(world: World, client: HttpClient) -> None:
    response = _post_login(client, "alex@example.test", PASSWORD)
    assert response.status_code == 302
    assert client.get("/", follow=True).content.decode().count("Hello, Alex") == 1


def test_email_is_case_insensitive(world: World, client: HttpClient) -> None:
    assert _post_login(client, "  ALEX@Example.TEST ", PASSWORD).status_code == 302


def test_unknown_email_and_wrong_password_look_the_same(world: World, client: HttpClient) -> None:
    unknown = _post_login(client, "nobody@example.test", PASSWORD)
    wrong = _post_login(client, "alex@example.test", "not the password at all")
    assert unknown.status_code == wrong.status_code == 400
    assert BAD_CREDENTIALS in unknown.content.decode()
    assert _comparable(unknown.content, "nobody@example.test") == _comparable(
        wrong.content, "alex@example.test"
    )
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_for_fifteen_minutes(
    world: World, client: HttpClient
) -> None:
    import time_machine

    with time_machine.travel("2026-03-02 10:00 +0000", tick=False) as traveller:
        statuses = [
            _post_login(client, "alex@example.test", f"wrong guess {i}").status_code
            for i in range(5)
        ]
        assert statuses[:4] == [400] * 4
        assert statuses[4] == 429
        locked = _post_login(client, "alex@example.test", PASSWORD)
        assert locked.status_code == 429
        assert escape(LOCKED_OUT) in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Another account is not affected: the lock is per account.
        assert _post_login(HttpClient(), "blair@example.test", PASSWORD).status_code == 302
        traveller.shift(60 * 14)
        assert _post_login(client, "alex@example.test", PASSWORD).status_code == 429
        traveller.shift(61)
        assert _post_login(client, "alex@example.test", PASSWORD).status_code == 302


@pytest.mark.parametrize("persona", ["casey", "fran", "dale", "cora", "ada"])
def test_staff_cannot_reach_any_page_before_the_second_factor(
    world: World, client: HttpClient, persona: str
) -> None:
    user = getattr(world, persona)
    assert _post_login(client, user.email, PASSWORD).status_code == 302
    for path in ["/", f"/clients/{world.alex.pk}/", "/compliance/audit/", "/emergency-access/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/mfa/")
    # The admin is closed too, and so is the API with a session cookie.
    assert client.get("/admin/").status_code == 302
    assert client.get(f"/api/v1/clients/{world.alex.pk}").status_code == 401


def test_staff_pass_with_the_current_code(world: World, client: HttpClient) -> None:
    _post_login(client, world.casey.email, PASSWORD)
    wrong = client.post("/account/mfa/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    # django-otp throttles: straight after a failure even the right code waits a second.
    throttled = client.post("/account/mfa/", {"code": current_code(world.casey)})
    assert "wait a few seconds" in throttled.content.decode()
    TOTPDevice.objects.filter(user=world.casey).update(throttling_failure_timestamp=None)
    ok = client.post(
        "/account/mfa/", {"code": current_code(world.casey), "next": f"/clients/{world.alex.pk}/"}
    )
    assert ok.status_code == 302
    assert ok["Location"] == f"/clients/{world.alex.pk}/"
    assert client.get(f"/clients/{world.alex.pk}/").status_code == 200


def test_a_recovery_code_passes_once(world: World, client: HttpClient) -> None:
    from openiop.accounts.services import recovery_codes_regenerate

    codes = recovery_codes_regenerate(user=world.casey)
    _post_login(client, world.casey.email, PASSWORD)
    assert client.post("/account/mfa/", {"code": codes[0]}).status_code == 302
    client.post("/logout/")
    _post_login(client, world.casey.email, PASSWORD)
    assert client.post("/account/mfa/", {"code": codes[0]}).status_code == 400


def test_next_cannot_send_a_user_to_another_site(world: World, client: HttpClient) -> None:
    response = client.post(
        "/login/",
        {"email": "alex@example.test", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_staff_without_an_authenticator_must_enrol(world: World, client: HttpClient) -> None:
    TOTPDevice.objects.filter(user=world.quinn).delete()
    _post_login(client, world.quinn.email, PASSWORD)
    page = client.get("/account/mfa/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "data:image/svg+xml" in body and 'id="totp-secret"' in body
    device = TOTPDevice.objects.get(user=world.quinn, confirmed=False)
    assert client.post("/account/mfa/", {"code": "123456"}).status_code == 400
    TOTPDevice.objects.filter(user=world.quinn).update(throttling_failure_timestamp=None)
    confirmed = client.post("/account/mfa/", {"code": current_code_of(device)})
    assert confirmed.status_code == 200
    assert "recovery codes" in confirmed.content.decode().lower()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(actor=world.quinn, object_type="user.mfa").count() == 1


def current_code_of(device: TOTPDevice) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"


def test_sign_out_ends_the_session_on_the_server(world: World, client: HttpClient) -> None:
    _post_login(client, "alex@example.test", PASSWORD)
    session_key = client.session.session_key
    stolen = HttpClient()
    stolen.cookies["sessionid"] = str(session_key)
    assert stolen.get("/me/").status_code == 200
    assert client.get("/logout/").status_code == 405  # sign-out is a POST (CSRF-protected)
    assert client.post("/logout/").status_code == 302
    # A copy of the old cookie is worthless: the session row is gone.
    assert stolen.get("/me/").status_code == 302


def test_tampered_session_cookie_is_treated_as_signed_out(world: World, client: HttpClient) -> None:
    _post_login(client, "alex@example.test", PASSWORD)
    client.cookies["sessionid"] = client.cookies["sessionid"].value[:-2] + "zz"
    response = client.get(f"/clients/{world.alex.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sign_in_and_out_are_audited(world: World, client: HttpClient) -> None:
    _post_login(client, "alex@example.test", PASSWORD)
    client.post("/logout/")
    actions = list(
        AuditEvent.objects.filter(actor=world.alex.user).values_list("action", flat=True)
    )
    assert actions[-2:] == ["login", "logout"]


def test_signed_in_pages_are_never_cached(world: World, client: HttpClient) -> None:
    _post_login(client, "alex@example.test", PASSWORD)
    response = client.get(f"/clients/{world.alex.pk}/")
    assert "no-store" in response["Cache-Control"]


def test_reloading_the_enrolment_page_keeps_the_secret(world: World, client: HttpClient) -> None:
    TOTPDevice.objects.filter(user=world.quinn).delete()
    _post_login(client, world.quinn.email, PASSWORD)
    first = client.get("/account/mfa/").content.decode()
    second = client.get("/account/mfa/").content.decode()
    secret = first.split('id="totp-secret">')[1].split("<")[0]
    assert secret and secret in second
    assert TOTPDevice.objects.filter(user=world.quinn).count() == 1
