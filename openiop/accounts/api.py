"""Bearer tokens for the JSON API: issue (password + TOTP for staff), revoke, who am I."""

from datetime import datetime
from typing import Annotated, Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django_otp import match_token
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import AfterValidator, Field

from openiop.accounts import services
from openiop.accounts.models import ApiToken, User
from openiop.accounts.views import BAD_CREDENTIALS, LOCKED_OUT

router = Router(tags=["accounts"])

OTP_REQUIRED = "Staff accounts must send the current code from their authenticator app as `otp`."
OTP_WRONG = "That one-time code is not right or has expired."


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token must be unexpired and not revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token)).first()
        )
        if found is None or not found.is_usable(timezone.now()):
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; without this a lookup would fail with a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# A string from a request body that is safe to hand to the database.
Text = Annotated[str, AfterValidator(_no_nul)]


class Detail(Schema):
    """Every error except input validation: one human-readable sentence."""

    detail: str


class ValidationDetail(Schema):
    """422: what was wrong with the input, one entry per field (django-ninja's shape)."""

    detail: list[dict[str, Any]]


class TokenIn(Schema):
    email: Text = Field(max_length=254)
    password: Text = Field(max_length=256)
    otp: Text | None = Field(default=None, max_length=16)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    id: int
    email: str
    role: str
    time_zone: str


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Detail, 422: ValidationDetail, 429: Detail},
)
def token_create(request: HttpRequest, body: TokenIn) -> Status[dict[str, object]]:
    """Exchange email + password (+ `otp` for staff) for a bearer token valid for 8 hours."""
    email = body.email.strip().lower()
    # django-axes (first backend) refuses a locked account and counts each failure; an unknown
    # email and a wrong password take the same path and get the same answer.
    user = authenticate(request, email=email, password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, LOCKED_OUT)
    if not isinstance(user, User):
        raise HttpError(401, BAD_CREDENTIALS)
    if user.requires_mfa:
        if not body.otp:
            raise HttpError(401, OTP_REQUIRED)
        if match_token(user, body.otp.strip()) is None:
            raise HttpError(401, OTP_WRONG)
    raw, token = services.api_token_issue(user=user)
    if settings.AXES_RESET_ON_SUCCESS:
        # A web sign-in resets the failure count through `user_logged_in`; a token is a sign-in
        # too, but sending that signal would create a session (and a cookie) for an API client.
        axes_reset(username=email)
    return Status(200, {"token": raw, "expires_at": token.expires_at})


@router.delete("/auth/token", response={204: None, 401: Detail})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    services.api_token_revoke(token=request.api_token)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: Detail})
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
