"""Demo data for notifications: preferences for the demo clients, a few inbox messages, a
follow-up task for a clinician, and session reminders for every seat booked in the demo week.

Idempotent: preferences are set to the same values, messages and tasks have fixed keys, and
reminders are keyed by session, client and start (so nothing is queued twice).
"""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.notify.delivery import deliver
from openiop.notify.services import notify_send, preference_update, staff_task_add
from openiop.programs.models import Client
from openiop.scheduling.models import Booking, BookingStatus, SessionStatus
from openiop.scheduling.reminders import reminders_schedule

# email, channels (email, sms, in-app), phone (fictional 555-01xx), quiet start/end, discreet
PREFERENCES = [
    ("alex@demo.openiop.test", (True, False, True), "", (time(21), time(8)), True),
    ("sam@demo.openiop.test", (True, True, True), "+1 312 555 0142", (time(22), time(7)), True),
    ("jordan@demo.openiop.test", (False, False, True), "", (time(22), time(7)), True),
    ("kendall@demo.openiop.test", (True, False, True), "", (None, None), False),
]
INBOX = [
    (
        "sam@demo.openiop.test",
        "demo:welcome",
        "Welcome",
        "Your account is ready. Open the app to see your week.",
        "/my-week/",
    ),
    (
        "sam@demo.openiop.test",
        "demo:todo",
        "Something to do",
        "You have something to fill in this week. Open the app for details.",
        "/",
    ),
    (
        "alex@demo.openiop.test",
        "demo:welcome",
        "Welcome",
        "Your account is ready. Open the app to see your week.",
        "/my-week/",
    ),
]


def _preferences() -> None:
    for email, (mail, sms, inapp), phone, (quiet_start, quiet_end), discreet in PREFERENCES:
        client = Client.objects.filter(user__email=email).select_related("user").first()
        if client is None:
            continue
        preference_update(
            user=client.user,
            actor=None,
            email_on=mail,
            sms_on=sms,
            inapp_on=inapp,
            phone=phone,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            time_zone=client.time_zone,
            language="en",
            discreet=discreet,
        )


def _inbox() -> None:
    for email, key, subject, body, link in INBOX:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        with transaction.atomic():
            messages = notify_send(
                user=user,
                key=f"{key}:{user.pk}",
                subject=subject,
                body=body,
                channels=["inapp"],
                link=link,
                staff=True,  # shown at once, whatever the demo's clock says about quiet hours
            )
        for message in messages:
            deliver(message.pk)


def _follow_up() -> None:
    clinician = User.objects.filter(email="clinician@demo.openiop.test").first()
    client = Client.objects.filter(user__email="sam@demo.openiop.test").first()
    if clinician is None or client is None:
        return
    with transaction.atomic():
        staff_task_add(
            user=clinician,
            key=f"demo:follow-up:{client.pk}",
            title=f"Follow up: {client.first_name} {client.last_name[:1]}. missed a session",
            due_at=timezone.now() + timedelta(hours=4),
            link=f"/clients/{client.pk}/",
            client_id=client.pk,
        )


def _reminders() -> int:
    """Reminders for every seat in the next week (bookings made before this seed ran)."""
    now = timezone.now()
    booked = Booking.objects.filter(
        status=BookingStatus.BOOKED,
        session__status=SessionStatus.SCHEDULED,
        session__starts_at__gt=now,
        session__starts_at__lt=now + timedelta(days=8),
    ).select_related("session", "client__user")
    count = 0
    for booking in booked:
        with transaction.atomic():
            count += len(reminders_schedule(session=booking.session, client=booking.client))
    return count


def seed_notify() -> None:
    """Idempotent: safe to run again."""
    _preferences()
    _inbox()
    _follow_up()
    _reminders()
