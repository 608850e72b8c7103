from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

_LAST_SEEN = "openiop:last_seen"
_STARTED = "openiop:started"

# Pages a signed-in member of staff may use before finishing the second factor.
_MFA_EXEMPT_PREFIXES = ("/login", "/logout", "/account/mfa", "/static/", "/api/")


class SessionTimeoutMiddleware:
    """Sign out after the role's idle limit (staff 15 min, clients 30) and after 12 hours."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = timezone.now()
            session = request.session
            last_seen = _read(session.get(_LAST_SEEN))
            started = _read(session.get(_STARTED)) or now
            idle_limit = (
                settings.OPENIOP_IDLE_TIMEOUT_STAFF
                if user.is_staff_role  # type: ignore[union-attr]
                else settings.OPENIOP_IDLE_TIMEOUT_CLIENT
            )
            expired = (last_seen is not None and now - last_seen > idle_limit) or (
                now - started > settings.OPENIOP_ABSOLUTE_SESSION
            )
            if expired:
                logout(request)  # flushes the server-side session row
                messages.info(request, "You were signed out after a period of inactivity.")
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            session[_STARTED] = started.isoformat()
            session[_LAST_SEEN] = now.isoformat()
            response = self.get_response(request)
            # Nothing a signed-in person saw may come back from a cache (the back button after
            # sign-out on a shared phone or clinic computer).
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


def _read(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class RequireStaffMFAMiddleware:
    """Staff who signed in with a password but not yet a second factor can only finish MFA."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.requires_mfa  # type: ignore[union-attr]
            and not user.passed_second_factor()  # type: ignore[union-attr]
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
        ):
            return redirect("accounts:mfa")
        return self.get_response(request)
