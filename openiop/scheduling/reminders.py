"""Session reminders, scheduled and withdrawn through the notify gateway.

A booked client gets two reminders per session: 24 hours and 1 hour before (``OFFSETS``),
in their chosen channels, worded discreetly ("You have an appointment at 6:00 PM. Open the
app for details.", the time in the client's own zone) with a join link that needs a login.

Keys are ``session:<session_id>:<client_id>:<24h|1h>:<start, UTC, YYYYmmddTHHMMZ>``: the start
is part of the key so that a session moved after its first reminder went gets fresh ones for
its new time, while a repeat of the same scheduling sends nothing twice. Everything pending
for a session (or one client in it) is withdrawn by the prefix ``session:<id>:[<client>:]``.

A reminder that would fall in the client's quiet hours moves to their end if that is still
before the session, else to just before they began; if both are past, it is dropped.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.notify.models import Message
from openiop.notify.services import (
    notify_send,
    notify_withdraw,
    preference_ensure,
    quiet_hours_adjust,
)
from openiop.programs.models import Client
from openiop.scheduling.models import Booking, BookingStatus, Session

OFFSETS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
SUBJECT = "Appointment reminder"


def session_prefix(session_id: int, client_id: int | None = None) -> str:
    return f"session:{session_id}:" + (f"{client_id}:" if client_id is not None else "")


def reminder_key(session: Session, client_id: int, label: str) -> str:
    return f"{session_prefix(session.pk, client_id)}{label}:{session.starts_at:%Y%m%dT%H%MZ}"


def join_link(session: Session) -> str:
    """The session's join page (telehealth); it asks for a login, so the link reveals nothing."""
    return f"/sessions/{session.pk}/join/"


def _clock(moment: datetime) -> str:
    return moment.strftime("%I:%M %p").lstrip("0")


def reminder_text(session: Session, client: Client, label: str) -> tuple[str, str]:
    """(subject, body) in the client's zone; nothing about what the session is."""
    local = session.starts_at.astimezone(ZoneInfo(client.time_zone))
    when = f"at {_clock(local)}" if label == "1h" else f"on {local:%A} at {_clock(local)}"
    return SUBJECT, f"You have an appointment {when}. Open the app for details."


def reminders_schedule(
    *, session: Session, client: Client, now: datetime | None = None
) -> list[Message]:
    """Queue the reminders for ``client`` in ``session``; call inside the booking's
    transaction. Reminders whose time has passed are skipped (a late booking gets only the
    1-hour one); the rest are kept out of quiet hours."""
    now = now or timezone.now()
    if session.is_cancelled or session.starts_at <= now:
        return []
    user = client.user
    pref = preference_ensure(user=user, time_zone=client.time_zone, phone=client.phone)
    queued: list[Message] = []
    for label, before in OFFSETS:
        when = session.starts_at - before
        if when <= now:
            continue
        adjusted = quiet_hours_adjust(pref=pref, when=when, deadline=session.starts_at)
        if adjusted is None or adjusted <= now - timedelta(minutes=1):
            continue
        subject, body = reminder_text(session, client, label)
        queued += notify_send(
            user=user,
            key=reminder_key(session, client.pk, label),
            subject=subject,
            body=body,
            send_at=max(adjusted, now),
            link=join_link(session),
        )
    return queued


def reminders_withdraw(*, session_id: int, client_id: int | None = None) -> int:
    """Withdraw the pending reminders of a session (of one client in it, or all of them)."""
    return notify_withdraw(key_prefix=session_prefix(session_id, client_id))


def reminders_for_booking(booking: Booking) -> list[Message]:
    """Schedule for a booking that holds a seat; a waitlist place gets none (yet)."""
    if booking.status != BookingStatus.BOOKED:
        return []
    return reminders_schedule(session=booking.session, client=booking.client)


def reminders_session_changed(session: Session) -> int:
    """The session moved or was cancelled: withdraw what is pending and, if it still takes
    place, queue fresh reminders for every client holding a seat. Returns seats rescheduled."""
    reminders_withdraw(session_id=session.pk)
    if session.is_cancelled:
        return 0
    booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED).select_related(
        "client__user"
    )
    count = 0
    for booking in booked:
        reminders_schedule(session=session, client=booking.client)
        count += 1
    return count


def reminders_sessions_cancelled(session_ids: Iterable[int]) -> int:
    return sum(reminders_withdraw(session_id=pk) for pk in session_ids)
