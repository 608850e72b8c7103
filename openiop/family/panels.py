"""The family member's home: what is shared with them now (see openiop.lib.slots)."""

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from openiop.accounts.models import Role
from openiop.family.selectors import active_shares, family_sessions_open_now, now_and_zone
from openiop.scheduling.services.calendar import calendar_feed_revoke


def family_home(request: HttpRequest, subject: Any) -> str | None:
    """Two queries: the active consents with their clients, and any family session open now
    (with a Join button; that read is audited against its consent). The list itself shows
    only first names and what is shared, so it is not audited per client; each page behind
    it is."""
    user = request.user
    if getattr(user, "role", None) != Role.FAMILY:
        return None
    shares = active_shares(user)  # type: ignore[arg-type]
    if not shares:
        return None
    # The caseload page hides its "Nothing has been shared" line when this is set.
    request.family_has_shares = True  # type: ignore[attr-defined]
    now, zone = now_and_zone(user)  # type: ignore[arg-type]
    open_now = family_sessions_open_now(user, shares, now, zone)  # type: ignore[arg-type]
    context = {"shares": shares, "open_now": open_now, "zone": zone.key}
    return render_to_string("family/_home.html", context, request=request)


def revoke_calendar_feeds(user: Any) -> None:
    """A family user with no active consent left keeps no calendar URL."""
    calendar_feed_revoke(user=user)
