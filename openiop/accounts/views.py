from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts import services
from openiop.accounts.forms import EnrolmentCodeForm, LoginForm, OTPForm
from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.lib.qr import qr_svg_data_uri
from openiop.lib.totp import hex_to_base32

BAD_CREDENTIALS = "That email and password do not match an account. Check both and try again."
LOCKED_OUT = (
    "Too many failed sign-in attempts. This account is locked for 15 minutes. "
    "If you need help now, call your program's on-call line."
)


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when an account is locked (5 failures in 15 minutes)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT}, status=429)
    form = LoginForm(request.POST or None)
    return render(request, "accounts/login.html", {"form": form, "error": LOCKED_OUT}, status=429)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=False
    ):
        return target
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is not None:
            login(request, user)
            audit_record_atomic(actor=user, action=Action.LOGIN, object_type="session")
            if user.requires_mfa:  # type: ignore[attr-defined]
                return redirect(f"/account/mfa/?next={_next_url(request)}")
            return redirect(_next_url(request))
        error = BAD_CREDENTIALS
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=status,
    )


@login_required
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Second factor: verify with the enrolled app, or enrol one (QR code + recovery codes)."""
    user: User = request.user  # type: ignore[assignment]
    if user.passed_second_factor():
        return redirect(_next_url(request))
    if services.totp_device_for(user) is None:
        return _mfa_enroll(request, user)
    form = OTPForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        error = _wrong_code_message(user)
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


def _mfa_enroll(request: HttpRequest, user: User) -> HttpResponse:
    # Reloading the page keeps the secret the person may already have scanned.
    device = services.totp_device_for(user, confirmed=False) or services.totp_begin_enrollment(
        user=user
    )
    form = EnrolmentCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        codes = services.totp_confirm_enrollment(
            user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        error = _wrong_code_message(user, device)
    secret = hex_to_base32(device.key)
    return render(
        request,
        "accounts/mfa_enroll.html",
        {
            "form": form,
            "error": error,
            "secret": secret,
            "qr": qr_svg_data_uri(device.config_url),
            "next": _next_url(request),
        },
        status=400 if error else 200,
    )


def _wrong_code_message(user: User, device: TOTPDevice | None = None) -> str:
    """Why a code failed; django-otp slows down repeated failures (1 s, 2 s, 4 s, ...)."""
    device = device or services.totp_device_for(user)
    allowed, _ = device.verify_is_allowed() if device else (True, None)
    message = "That code is not right or has expired. Enter the current 6-digit code."
    if not allowed:
        message += " After a wrong code, wait a few seconds before the next try."
    return message


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        audit_record_atomic(actor=user, action=Action.LOGOUT, object_type="session")
    logout(request)
    messages.info(request, "You are signed out.")
    response = redirect("accounts:login")
    # The offline copy of Help now (safety's service worker cache) leaves with the person.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response
