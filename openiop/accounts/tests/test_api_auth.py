"""The API's front door: POST/DELETE /api/v1/auth/token, GET /api/v1/me, the OpenAPI document.

Clients sign in with email + password; staff also send the current TOTP code as `otp`.
Tokens last 8 hours and can be revoked. Five failures lock an account for 15 minutes.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from openapi_spec_validator import validate

from openiop.accounts.api import OTP_REQUIRED, OTP_WRONG
from openiop.accounts.models import ApiToken, User
from openiop.accounts.views import BAD_CREDENTIALS, LOCKED_OUT
from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World, current_code

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

TOKEN_URL = "/api/v1/auth/token"
UA = "openiop-api-tests/1.0"
T0 = datetime(2026, 3, 2, 15, 0, 7, tzinfo=UTC)  # early in a 30 s TOTP step
STAFF = ["casey", "fran", "dale", "cora", "ada"]  # clinician, facilitator, director, ...


def _post_token(client: HttpClient, body: Any) -> "Response":
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        TOKEN_URL, data=data, content_type="application/json", headers={"User-Agent": UA}
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": UA}


def _token_for(client: HttpClient, user: User) -> str:
    body: dict[str, str] = {"email": user.email, "password": PASSWORD}
    if user.requires_mfa:
        body["otp"] = current_code(user)
    response = _post_token(client, body)
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


# --- issuing tokens ---------------------------------------------------------------------------


def test_client_gets_a_token_without_otp(world: World, client: HttpClient) -> None:
    alex = world.alex.user
    with time_machine.travel(T0, tick=False):
        response = _post_token(client, {"email": alex.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert datetime.fromisoformat(body["expires_at"]) == T0 + timedelta(hours=8)
    stored = ApiToken.objects.get(user=alex)
    # Only the digest is kept; the raw token is shown once.
    assert stored.digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in stored.digest
    event = AuditEvent.objects.get(action="login", object_type="api_token")
    assert event.actor == alex
    assert event.object_id == str(stored.pk)
    assert (event.ip, event.user_agent) == ("127.0.0.1", UA)


def test_family_member_needs_no_otp(world: World, client: HttpClient) -> None:
    response = _post_token(client, {"email": world.fay.email, "password": PASSWORD})
    assert response.status_code == 200


def test_email_is_matched_without_case_or_surrounding_spaces(
    world: World, client: HttpClient
) -> None:
    response = _post_token(client, {"email": "  ALEX@Example.TEST ", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize("name", STAFF)
def test_staff_with_the_current_otp_get_a_token(
    world: World, client: HttpClient, name: str
) -> None:
    user: User = getattr(world, name)
    response = _post_token(
        client, {"email": user.email, "password": PASSWORD, "otp": current_code(user)}
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("name", STAFF)
def test_staff_without_otp_get_401(world: World, client: HttpClient, name: str) -> None:
    user: User = getattr(world, name)
    for body in (
        {"email": user.email, "password": PASSWORD},
        {"email": user.email, "password": PASSWORD, "otp": ""},
        {"email": user.email, "password": PASSWORD, "otp": None},
    ):
        response = _post_token(client, body)
        assert response.status_code == 401
        assert response.json() == {"detail": OTP_REQUIRED}
    assert not ApiToken.objects.filter(user=user).exists()


def test_staff_with_a_wrong_otp_get_401(world: World, client: HttpClient) -> None:
    casey = world.casey
    wrong = f"{(int(current_code(casey)) + 1) % 1_000_000:06d}"
    response = _post_token(client, {"email": casey.email, "password": PASSWORD, "otp": wrong})
    assert response.status_code == 401
    assert response.json() == {"detail": OTP_WRONG}
    assert not ApiToken.objects.filter(user=casey).exists()


def test_a_staff_otp_cannot_be_replayed_in_the_same_step(world: World, client: HttpClient) -> None:
    casey = world.casey
    with time_machine.travel(T0, tick=False):
        code = current_code(casey)
        first = _post_token(client, {"email": casey.email, "password": PASSWORD, "otp": code})
        again = _post_token(client, {"email": casey.email, "password": PASSWORD, "otp": code})
    assert first.status_code == 200
    assert again.status_code == 401
    assert again.json() == {"detail": OTP_WRONG}
    # The next 30 s step brings a new code, which works.
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        later = _post_token(
            client, {"email": casey.email, "password": PASSWORD, "otp": current_code(casey)}
        )
    assert later.status_code == 200


def test_a_client_may_send_an_otp_and_it_is_ignored(world: World, client: HttpClient) -> None:
    response = _post_token(
        client, {"email": world.alex.user.email, "password": PASSWORD, "otp": "000000"}
    )
    assert response.status_code == 200


# --- bad credentials look the same, whatever is wrong -----------------------------------------


def test_unknown_email_and_wrong_password_look_exactly_the_same(
    world: World, client: HttpClient
) -> None:
    unknown = _post_token(client, {"email": "nobody@example.test", "password": PASSWORD})
    wrong_client = _post_token(client, {"email": world.alex.user.email, "password": "wrong pw"})
    wrong_staff = _post_token(
        client,
        {"email": world.casey.email, "password": "wrong pw", "otp": current_code(world.casey)},
    )
    answers = {(r.status_code, r["Content-Type"], r.content) for r in (unknown, wrong_client)}
    answers.add((wrong_staff.status_code, wrong_staff["Content-Type"], wrong_staff.content))
    assert len(answers) == 1
    assert unknown.status_code == 401
    assert unknown.json() == {"detail": BAD_CREDENTIALS}
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_looks_like_a_wrong_password(
    world: World, client: HttpClient
) -> None:
    alex = world.alex.user
    alex.is_active = False
    alex.save(update_fields=["is_active"])
    response = _post_token(client, {"email": alex.email, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == {"detail": BAD_CREDENTIALS}


# --- lockout (django-axes: 5 failures per account in 15 minutes lock it for 15 minutes) -------


@pytest.mark.parametrize("email", ["alex@example.test", "nobody@example.test"])
def test_the_fifth_failure_locks_the_account_and_the_sixth_is_refused(
    world: World, client: HttpClient, email: str
) -> None:
    """axes counts the failure, sees 5 >= AXES_FAILURE_LIMIT and locks on the 5th attempt itself,
    so the 5th answer already says 429. Known and unknown emails behave the same."""
    statuses = []
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            response = _post_token(client, {"email": email, "password": "wrong pw"})
            assert response.json() == {"detail": BAD_CREDENTIALS}
            statuses.append(response.status_code)
        fifth = _post_token(client, {"email": email, "password": "wrong pw"})
        sixth = _post_token(client, {"email": email, "password": "wrong pw"})
    assert statuses == [401, 401, 401, 401]
    assert fifth.status_code == sixth.status_code == 429
    assert fifth.json() == sixth.json() == {"detail": LOCKED_OUT}
    assert "locked for 15 minutes" in LOCKED_OUT


def test_a_locked_account_refuses_even_the_right_password(world: World, client: HttpClient) -> None:
    alex, casey = world.alex.user, world.casey
    with time_machine.travel(T0, tick=False):
        for user in (alex, casey):
            for _ in range(5):
                _post_token(client, {"email": user.email, "password": "wrong pw"})
        right = _post_token(client, {"email": alex.email, "password": PASSWORD})
        right_staff = _post_token(
            client, {"email": casey.email, "password": PASSWORD, "otp": current_code(casey)}
        )
        # The lock is per account: a colleague on the same address still signs in.
        other = _post_token(client, {"email": world.blair.user.email, "password": PASSWORD})
    assert right.status_code == right_staff.status_code == 429
    assert right.json() == right_staff.json() == {"detail": LOCKED_OUT}
    assert other.status_code == 200
    assert not ApiToken.objects.filter(user__in=[alex, casey]).exists()


def test_the_lock_lifts_after_15_minutes(world: World, client: HttpClient) -> None:
    alex = world.alex.user
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            _post_token(client, {"email": alex.email, "password": "wrong pw"})
    with time_machine.travel(T0 + timedelta(minutes=14, seconds=59), tick=False):
        still = _post_token(client, {"email": alex.email, "password": PASSWORD})
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        lifted = _post_token(client, {"email": alex.email, "password": PASSWORD})
    assert still.status_code == 429
    assert lifted.status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(world: World, client: HttpClient) -> None:
    """AXES_RESET_ON_SUCCESS: four typos, a success, four more typos is not a lockout."""
    alex = world.alex.user
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            _post_token(client, {"email": alex.email, "password": "wrong pw"})
        assert _post_token(client, {"email": alex.email, "password": PASSWORD}).status_code == 200
        assert not AccessAttempt.objects.filter(username=alex.email).exists()
        after = [
            _post_token(client, {"email": alex.email, "password": "wrong pw"}).status_code
            for _ in range(4)
        ]
    assert after == [401, 401, 401, 401]


# --- using and ending a token -----------------------------------------------------------------


def test_me_returns_exactly_the_documented_fields(world: World, client: HttpClient) -> None:
    alex = world.alex.user
    response = client.get("/api/v1/me", headers=_bearer(_token_for(client, alex)))
    assert response.status_code == 200
    assert response.json() == {
        "id": alex.pk,
        "email": "alex@example.test",
        "role": "client",
        "time_zone": "America/Chicago",
    }


def test_me_for_staff(world: World, client: HttpClient) -> None:
    response = client.get("/api/v1/me", headers=_bearer(_token_for(client, world.dale)))
    assert response.json() == {
        "id": world.dale.pk,
        "email": "dale@example.test",
        "role": "director",
        "time_zone": "UTC",
    }


def test_a_token_works_until_eight_hours_then_401(world: World, client: HttpClient) -> None:
    with time_machine.travel(T0, tick=False):
        token = _token_for(client, world.alex.user)
    with time_machine.travel(T0 + timedelta(hours=8) - timedelta(seconds=1), tick=False):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    with time_machine.travel(T0 + timedelta(hours=8, seconds=1), tick=False):
        expired = client.get("/api/v1/me", headers=_bearer(token))
        listed = client.get("/api/v1/clients", headers=_bearer(token))
    assert expired.status_code == listed.status_code == 401
    assert expired.json() == {"detail": "Missing, expired or revoked token."}


def test_a_revoked_token_gets_401(world: World, client: HttpClient) -> None:
    alex = world.alex.user
    token = _token_for(client, alex)
    other = _token_for(client, alex)
    revoked = client.delete(TOKEN_URL, headers=_bearer(token))
    assert revoked.status_code == 204
    assert revoked.content == b""
    after = client.get("/api/v1/me", headers=_bearer(token))
    assert after.status_code == 401
    assert after.json() == {"detail": "Missing, expired or revoked token."}
    # Revoking twice is just another request with a dead token.
    assert client.delete(TOKEN_URL, headers=_bearer(token)).status_code == 401
    # Only that token ends; the user's other token still works.
    assert client.get("/api/v1/me", headers=_bearer(other)).status_code == 200
    row = ApiToken.objects.get(digest=hashlib.sha256(token.encode()).hexdigest())
    assert row.revoked_at is not None
    event = AuditEvent.objects.get(action="logout", object_type="api_token")
    assert (event.actor, event.object_id) == (alex, str(row.pk))
    assert (event.ip, event.user_agent) == ("127.0.0.1", UA)


def test_a_token_of_a_deactivated_user_gets_401(world: World, client: HttpClient) -> None:
    alex = world.alex.user
    token = _token_for(client, alex)
    alex.is_active = False
    alex.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic YWxleDpwdw=="},
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Authorization": "Bearer \x00"},
    ],
    ids=["none", "empty", "unknown", "basic", "huge", "nul"],
)
def test_no_or_bad_token_gets_401_json(
    world: World, client: HttpClient, headers: dict[str, str]
) -> None:
    for method, url in (("get", "/api/v1/me"), ("get", "/api/v1/clients"), ("delete", TOKEN_URL)):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Missing, expired or revoked token."}


def test_a_signed_in_browser_session_is_not_an_api_credential(
    world: World, client: HttpClient
) -> None:
    client.force_login(world.alex.user)
    assert client.get("/api/v1/me").status_code == 401


# --- bad input: 400/413/422 with a JSON detail, never a 500 -----------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("", 422),
        ("{", 400),
        ("not json", 400),
        ("[]", 422),
        ("null", 422),
        ('"alex@example.test"', 422),
        ("1", 422),
        ({}, 422),
        ({"email": "alex@example.test"}, 422),
        ({"password": PASSWORD}, 422),
        ({"email": 1, "password": PASSWORD}, 422),
        ({"email": "alex@example.test", "password": ["x"]}, 422),
        ({"email": "alex@example.test", "password": PASSWORD, "otp": 123456}, 422),
        ({"email": "a" * 255, "password": PASSWORD}, 422),
        ({"email": "alex@example.test", "password": "p" * 257}, 422),
        ({"email": "casey@example.test", "password": PASSWORD, "otp": "1" * 17}, 422),
        ({"email": "alex\x00@example.test", "password": PASSWORD}, 422),
        ({"email": "alex@example.test", "password": "pw\x00"}, 422),
        ({"email": "casey@example.test", "password": PASSWORD, "otp": "12\x003456"}, 422),
        ({"email": "alex@example.test", "password": "p" * 3_000_000}, 413),
    ],
)
def test_bad_token_requests_get_a_json_error_not_a_500(
    world: World, client: HttpClient, body: Any, status: int
) -> None:
    response = _post_token(client, body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "detail" in response.json()
    assert not ApiToken.objects.exists()


def test_a_form_encoded_body_is_refused_as_json(world: World, client: HttpClient) -> None:
    response = client.post(TOKEN_URL, {"email": "alex@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}


def test_validation_errors_name_the_field(world: World, client: HttpClient) -> None:
    response = _post_token(client, {"email": "a" * 255, "password": PASSWORD})
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "email"
    assert error["type"] == "string_too_long"
    assert "a" * 255 not in response.content.decode()  # the input is not echoed back


# --- the OpenAPI document ---------------------------------------------------------------------


def test_openapi_document_is_public_and_valid(db: None, client: HttpClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises OpenAPIValidationError on any fault
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/clients"} <= set(paths)
    assert {"post", "delete"} <= set(paths["/api/v1/auth/token"])
    assert "post" in paths["/api/v1/clients/{client_id}/care-team"]
    assert paths["/api/v1/auth/token"]["post"].get("security") is None
    assert paths["/api/v1/me"]["get"]["security"] == [{"BearerAuth": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {"type": "http", "scheme": "bearer"}
