from datetime import datetime

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django_otp import match_token
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import Field

from openiop.accounts import services
from openiop.accounts.models import ApiToken, User
from openiop.accounts.views import BAD_CREDENTIALS, LOCKED_OUT

router = Router(tags=["accounts"])


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


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    otp: str | None = Field(default=None, max_length=16)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    id: int
    email: str
    role: str
    time_zone: str


class Detail(Schema):
    detail: str


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: Detail, 429: Detail})
def token_create(request: HttpRequest, body: TokenIn) -> tuple[int, dict[str, object]]:
    email = str(body.email).strip().lower()
    try:
        user = authenticate(request, email=email, password=body.password)
    except AxesBackendPermissionDenied:
        raise HttpError(429, LOCKED_OUT) from None
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, LOCKED_OUT)
    if user is None:
        raise HttpError(401, BAD_CREDENTIALS)
    if user.requires_mfa:  # type: ignore[attr-defined]
        if not body.otp:
            raise HttpError(
                401,
                "Staff accounts must send the current code from their authenticator app as `otp`.",
            )
        if match_token(user, body.otp.strip()) is None:
            raise HttpError(401, "That one-time code is not right or has expired.")
    raw, token = services.api_token_issue(user=user)  # type: ignore[arg-type]
    return 200, {"token": raw, "expires_at": token.expires_at}


@router.delete("/auth/token", response={204: None})
def token_revoke(request: HttpRequest) -> tuple[int, None]:
    services.api_token_revoke(token=request.api_token)  # type: ignore[attr-defined]
    return 204, None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
