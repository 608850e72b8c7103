"""Panels the resources app shows on pages of apps to its left (see openiop.lib.slots)."""

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from openiop.accounts.models import Role
from openiop.programs.selectors import on_team_or_directs
from openiop.resources import selectors
from openiop.resources.models import FamilyConsent, Resource


def staff_home(request: HttpRequest, subject: Any) -> str | None:
    """Directory links with the count of entries needing a check (two queries)."""
    user = request.user
    if getattr(user, "role", None) not in selectors.DIRECTORY_ROLES:
        return None
    programs = list(selectors.programs_staffed_by(user))  # type: ignore[arg-type]
    if not programs:
        return None
    cutoff = selectors.stale_cutoff(timezone.localdate())
    stale = dict(
        Resource.objects.filter(program__in=programs, is_active=True, last_verified_on__lt=cutoff)
        .order_by()
        .values_list("program_id")
        .annotate(n=Count("pk"))
    )
    rows = [(p, stale.get(p.pk, 0)) for p in programs]
    return render_to_string(
        "resources/_staff_home.html",
        {"rows": rows, "stale_total": sum(n for _, n in rows)},
        request=request,
    )


def client_record(request: HttpRequest, client: Any) -> str | None:
    """Referrals out, "Near me" and family sharing on the client's record (care team and
    directors; three queries)."""
    user = request.user
    if client is None or not on_team_or_directs(user, client):  # type: ignore[arg-type]
        return None
    now = timezone.now()
    referrals = client.referrals_out.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=["sent", "scheduled"]))
    )
    consents = list(
        FamilyConsent.objects.filter(
            client=client, revoked_at__isnull=True, expires_at__gt=now
        ).order_by("expires_at", "pk")
    )
    context = {"client": client, "referrals": referrals, "consents": consents}
    return render_to_string("resources/_client_record.html", context, request=request)


def client_home(request: HttpRequest, client: Any) -> str | None:
    if getattr(request.user, "role", None) != Role.CLIENT or client is None:
        return None
    return render_to_string("resources/_client_home.html", {"client": client}, request=request)
