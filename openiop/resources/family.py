"""May this family member see this of that client? One place answers, on every request.

A family user sees a client's things only through an active `FamilyConsent` (not revoked,
not expired) that names the scope. Nothing is cached in the session or the token: a
revocation or an expiry takes effect on the very next request, page, API call or calendar
fetch. Apps to the right (scheduling's calendar feed, telehealth's join check, safety, notes,
the family portal) ask here.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.resources.models import FamilyConsent, FamilyScope

_SCOPE_FIELDS = {
    FamilyScope.SCHEDULE: "share_schedule",
    FamilyScope.ATTENDANCE: "share_attendance",
    FamilyScope.FAMILY_NOTES: "share_family_notes",
    FamilyScope.SAFETY_PLAN: "share_safety_plan",
}


def active_consents(user: Any, scope: str | None = None) -> QuerySet[FamilyConsent]:
    """The family user's consents in force now, optionally only those naming `scope`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return FamilyConsent.objects.none()
    if user.role != Role.FAMILY:
        return FamilyConsent.objects.none()
    consents = FamilyConsent.objects.filter(
        family_user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if scope is not None:
        consents = consents.filter(**{_SCOPE_FIELDS[FamilyScope(scope)]: True})
    return consents


def consented_client_ids(user: Any, scope: str) -> QuerySet[FamilyConsent, Any]:
    """A `values("client_id")` subquery of the clients whose `scope` the user may see."""
    return active_consents(user, scope).values("client_id")


def consent_for(user: Any, client_id: int, scope: str | None = None) -> FamilyConsent:
    """The active consent letting `user` see `scope` of client `client_id` (the latest when
    there are several); Http404 otherwise, the same answer as for a client that does not
    exist, so ids cannot be probed."""
    consent = (
        active_consents(user, scope)
        .filter(client_id=client_id)
        .select_related("client__program")
        .order_by("-created_at", "-pk")
        .first()
    )
    if consent is None:
        raise Http404("Nothing shared.")
    return consent


def has_active_consent(user: User) -> bool:
    return active_consents(user).exists()


def family_join_consent(user: Any, session: Any) -> FamilyConsent | None:
    """The consent under which a family user may join `session`'s video room, or None: a
    family session (not cancelled) a consenting client holds a booked seat in, under a
    consent with the schedule scope. Telehealth names it in the audit trail of every step.
    `session` is a scheduling Session (duck-typed: resources sits left of scheduling)."""
    if getattr(session, "kind", None) != "family" or getattr(session, "is_cancelled", True):
        return None
    booked = session.bookings.filter(status="booked").values("client_id")
    return (
        active_consents(user, FamilyScope.SCHEDULE)
        .filter(client_id__in=booked)
        .order_by("-created_at", "-pk")
        .first()
    )


def family_may_join(user: Any, session: Any) -> bool:
    return family_join_consent(user, session) is not None


def consent_reason(consent: FamilyConsent) -> str:
    """What a family read's audit event names as its authority (ids only)."""
    return f"family consent {consent.pk}"


class UserHooks:
    """Functions apps to the right register at start-up (resources cannot import them) and
    this app calls with a family user when something about that person's access changes."""

    def __init__(self) -> None:
        self._hooks: list[Callable[[User], None]] = []

    def register(self, hook: Callable[[User], None]) -> None:
        if hook not in self._hooks:
            self._hooks.append(hook)

    def __call__(self, user: User) -> None:
        for hook in self._hooks:
            hook(user)


# When a family user's last active consent ends, apps to the right revoke what they issued
# to them (scheduling's calendar feeds, registered by the family app; telehealth's seats).
access_ended = UserHooks()
access_ended_register = access_ended.register

# When one of a family user's consents is revoked and others remain, apps to the right
# re-check what that person holds open right now (telehealth: their seat in a live room).
# (Revoking the last one calls `access_ended` instead, which telehealth also listens to.)
consent_revoked = UserHooks()
consent_revoked_register = consent_revoked.register
