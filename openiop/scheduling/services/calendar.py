"""Private calendar feeds: one secret URL per person, revocable, RFC 5545.

The token is shown once and only its SHA-256 is stored. A feed carries nothing clinical:
every event is titled "Session with OpenIOP" and describes only the join link, because
calendars are synced to phones, shared with family and read on lock screens.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.resources.family import consented_client_ids
from openiop.resources.models import FamilyScope
from openiop.scheduling.models import Booking, BookingStatus, CalendarFeed, Session

EVENT_SUMMARY = "Session with OpenIOP"
FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=90)
UID_DOMAIN = "openiop"


@transaction.atomic
def calendar_feed_issue(*, user: User) -> tuple[str, CalendarFeed]:
    """A new feed for `user`, revoking any earlier one (one live URL per person, so a lost
    phone's subscription dies when a new URL is made). Returns (raw token, feed); the raw
    token is never stored and cannot be shown again."""
    now = timezone.now()
    revoked = list(
        CalendarFeed.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if revoked:
        CalendarFeed.objects.filter(pk__in=revoked).update(revoked_at=now)
    raw = CalendarFeed.new_raw()
    feed = CalendarFeed.objects.create(
        user=user, digest=CalendarFeed.digest_of(raw), created_at=now
    )
    for pk in revoked:
        audit_record(actor=user, action=Action.DELETE, object_type="calendar_feed", object_id=pk)
    audit_record(actor=user, action=Action.CREATE, object_type="calendar_feed", object_id=feed.pk)
    return raw, feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    """Revoke `user`'s live feeds; returns how many there were."""
    live = list(
        CalendarFeed.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    CalendarFeed.objects.filter(pk__in=live).update(revoked_at=timezone.now())
    for pk in live:
        audit_record(actor=user, action=Action.DELETE, object_type="calendar_feed", object_id=pk)
    return len(live)


def live_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The live feed whose token is `raw`, or None (unknown or revoked: the same answer)."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(digest=CalendarFeed.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def feed_sessions(user: User, now: datetime) -> QuerySet[Session]:
    """The sessions in `user`'s feed, from 30 days back to 90 ahead: a client's booked seats,
    a member of staff's facilitated sessions. Cancelled ones stay, marked cancelled, so a
    subscribed calendar removes them."""
    window = Session.objects.filter(
        starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_FUTURE
    ).order_by("starts_at", "pk")
    if user.role == Role.CLIENT:
        booked = Booking.objects.filter(client__user=user, status=BookingStatus.BOOKED).values(
            "session_id"
        )
        return window.filter(pk__in=booked)
    if user.is_staff_role:
        return window.filter(facilitator=user)
    if user.role == Role.FAMILY:
        # Checked at every fetch: a revoked or expired consent drops the client's sessions
        # from the very next refresh.
        booked = Booking.objects.filter(
            client_id__in=consented_client_ids(user, FamilyScope.SCHEDULE),
            status=BookingStatus.BOOKED,
        ).values("session_id")
        return window.filter(pk__in=booked)
    return Session.objects.none()


def session_uid(session: Session) -> str:
    """Stable per session: moving or cancelling it updates the same calendar entry."""
    return f"session-{session.pk}@{UID_DOMAIN}"


def session_sequence(session: Session) -> int:
    """RFC 5545 SEQUENCE: raised by each change a calendar must notice (a move, a cancel)."""
    return int(session.moved_from is not None) + int(session.is_cancelled)


def feed_ical(user: User, *, join_url: Callable[[Session], str], now: datetime) -> bytes:
    """`user`'s feed as an iCalendar document; `join_url` gives each session's join link."""
    calendar = Calendar()
    calendar.add("prodid", "-//OpenIOP//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "OpenIOP")
    for session in feed_sessions(user, now):
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", EVENT_SUMMARY)
        event.add("sequence", session_sequence(session))
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            link = join_url(session)
            event.add("description", link)
            event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical()
