"""The private calendar feed (no sign-in: the secret URL is the credential) and the small
page where a person makes, replaces or revokes theirs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.models import User
from openiop.scheduling.models import Session
from openiop.scheduling.services import calendar


def join_url(request: HttpRequest, session: Session) -> str:
    """The link a calendar entry carries: the session's join page (telehealth, #5)."""
    return request.build_absolute_uri(f"/sessions/{session.pk}/join/")


def feed_url(request: HttpRequest, raw: str) -> str:
    return request.build_absolute_uri(f"/calendar/{raw}.ics")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed as text/calendar; unknown and revoked tokens are the same 404."""
    found = calendar.feed_for_token(token)
    if found is None:
        missing = HttpResponseNotFound("Not found", content_type="text/plain")
        # Django logs every 4xx with its path, and this path is a secret: mark the response
        # as logged so a mistyped or revoked token does not land in the log.
        missing._has_been_logged = True  # type: ignore[attr-defined]
        return missing
    body = calendar.feed_ical(
        found.user, join_url=lambda s: join_url(request, s), now=timezone.now()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="openiop.ics"'
    return response


@login_required
@never_cache
def calendar_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "scheduling/calendar.html", {"live": calendar.live_feed(user)})


@login_required
@require_POST
@never_cache
def calendar_issue(request: HttpRequest) -> HttpResponse:
    """Make a new URL (the old one stops working) and show it, this once."""
    user: User = request.user  # type: ignore[assignment]
    raw, made = calendar.calendar_feed_issue(user=user)
    context = {"live": made, "new_url": feed_url(request, raw)}
    return render(request, "scheduling/calendar.html", context)


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if calendar.calendar_feed_revoke(user=user):
        messages.success(request, "Your calendar link no longer works.")
    return redirect("attendance:calendar")
