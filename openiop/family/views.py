"""The family member's pages: each one asks for the consent naming its scope on every
request (404 without one: revoked, expired, never given or another client's)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from openiop.accounts.models import User
from openiop.family import selectors
from openiop.programs.views.referrals import password_from_invite
from openiop.resources import services as resource_services
from openiop.resources.invites import user_for_family_invite
from openiop.resources.models import FamilyScope
from openiop.resources.texts import REDISCLOSURE_NOTICE
from openiop.safety.models import SafetyPlan


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def invite_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from a family invitation: choose a password, then arrive signed in."""
    return password_from_invite(
        request,
        uidb64,
        token,
        invited=user_for_family_invite,
        accept=resource_services.family_invite_accept,
        invalid=resource_services.FamilyInviteInvalid,
        invalid_template="family/invite_invalid.html",
    )


def _context(consent: object) -> dict[str, object]:
    return {"consent": consent, "client": consent.client, "notice": REDISCLOSURE_NOTICE}  # type: ignore[attr-defined]


@login_required
@never_cache
def overview(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    consent = selectors.read_consent(user, client_id, None, "family_consent")
    return render(request, "family/overview.html", _context(consent))


@login_required
@never_cache
def schedule(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    consent = selectors.read_consent(user, client_id, FamilyScope.SCHEDULE, "family_schedule")
    now, zone = selectors.now_and_zone(user)
    context = {**_context(consent), "sessions": selectors.client_schedule(consent, now, zone)}
    context["zone"] = zone.key
    return render(request, "family/schedule.html", context)


@login_required
@never_cache
def attendance(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    consent = selectors.read_consent(user, client_id, FamilyScope.ATTENDANCE, "family_attendance")
    now, zone = selectors.now_and_zone(user)
    context = {**_context(consent), "records": selectors.client_attendance(consent, now, zone)}
    return render(request, "family/attendance.html", context)


@login_required
@never_cache
def family_notes(request: HttpRequest, client_id: int) -> HttpResponse:
    """The signed notes of the family sessions, as the client agreed to share them."""
    user = _user(request)
    consent = selectors.read_consent(user, client_id, FamilyScope.FAMILY_NOTES, "family_notes")
    _now, zone = selectors.now_and_zone(user)
    context = {
        **_context(consent),
        "notes": selectors.family_session_notes(consent),
        "zone": zone,
    }
    return render(request, "family/family_notes.html", context)


@login_required
@never_cache
def safety_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    consent = selectors.read_consent(user, client_id, FamilyScope.SAFETY_PLAN, "family_safety_plan")
    plan = (
        SafetyPlan.objects.filter(
            client_id=consent.client_id,
            client_signed_at__isnull=False,
            clinician_signed_at__isnull=False,
        )
        .order_by("-version")
        .first()
    )
    return render(request, "family/safety_plan.html", {**_context(consent), "plan": plan})
