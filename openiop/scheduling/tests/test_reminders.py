"""Session reminders through notify: when they are due, in whose zone, around quiet hours,
and how moving or cancelling withdraws them; their wording stays discreet."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.notify.delivery import dispatch_due
from openiop.notify.models import Message, MessageState
from openiop.notify.services import clinical_words_in
from openiop.programs.models import Client
from openiop.scheduling.engagement import CARING_BODY, CARING_SUBJECT
from openiop.scheduling.models import Booking, BookingStatus, SessionKind
from openiop.scheduling.reminders import reminder_text
from openiop.scheduling.services.bookings import booking_cancel, booking_create, series_join
from openiop.scheduling.services.series import closure_add, session_cancel, session_move
from openiop.scheduling.tests.booking_helpers import enrolled, session

# Wednesday 2 December 2026, 18:00 in Chicago (CST, UTC-6) is Thursday 00:00 UTC.
SIX_PM = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def _pending(client: Client, channel: str = "email") -> dict[str, Message]:
    rows = Message.objects.filter(
        user=client.user, channel=channel, state=MessageState.PENDING
    ).order_by("send_at")
    return {m.key.split(":")[3]: m for m in rows}


def _move_to_zone(client: Client, zone: str) -> None:
    Client.objects.filter(pk=client.pk).update(time_zone=zone)
    User.objects.filter(pk=client.user_id).update(time_zone=zone)
    client.refresh_from_db()
    client.user.refresh_from_db()


@time_machine.travel(MONDAY, tick=False)
def test_booking_queues_24h_and_1h_reminders_with_a_join_link(world: World) -> None:
    enrolled(world.alex)
    group = session(world.program, world.fran, SIX_PM, capacity=8)
    booking_create(session=group, client=world.alex, actor=world.fran)
    due = _pending(world.alex)
    assert due["24h"].send_at == SIX_PM - timedelta(hours=24)
    assert due["1h"].send_at == SIX_PM - timedelta(hours=1)
    assert due["1h"].body == "You have an appointment at 6:00 PM. Open the app for details."
    assert due["24h"].body == (
        "You have an appointment on Wednesday at 6:00 PM. Open the app for details."
    )
    assert due["1h"].link == f"/sessions/{group.pk}/join/"
    assert due["1h"].key == f"session:{group.pk}:{world.alex.pk}:1h:20261203T0000Z"
    assert set(_pending(world.alex, "inapp")) == {"24h", "1h"}


def test_client_in_kolkata_program_in_chicago_across_the_dst_change(world: World) -> None:
    """Chicago leaves daylight time on Sunday 1 November 2026: a 7 PM group is 00:00 UTC the
    Monday before and 01:00 UTC the Monday after. For a client in Kolkata (UTC+5:30, no DST,
    quiet 21:00-08:00) both fall in the early morning, so reminders move out of quiet hours."""
    enrolled(world.alex)
    _move_to_zone(world.alex, "Asia/Kolkata")
    before = session(world.program, world.fran, datetime(2026, 10, 27, 0, 0, tzinfo=UTC))
    after = session(world.program, world.fran, datetime(2026, 11, 3, 1, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=UTC), tick=False):
        booking_create(session=before, client=world.alex, actor=None)
        booking_create(session=after, client=world.alex, actor=None)
    rows = Message.objects.filter(user=world.alex.user, channel="email")
    by_key = {(m.key.split(":")[1], m.key.split(":")[3]): m for m in rows}
    one_h_before = by_key[(str(before.pk), "1h")]
    one_h_after = by_key[(str(after.pk), "1h")]
    assert one_h_before.body == "You have an appointment at 5:30 AM. Open the app for details."
    assert one_h_after.body == "You have an appointment at 6:30 AM. Open the app for details."
    # 1 h before is 04:30 / 05:30 in Kolkata: quiet until 08:00, which is after the session,
    # so the reminder goes just before quiet hours began, 20:59 the evening before.
    assert one_h_before.send_at == datetime(2026, 10, 26, 15, 29, tzinfo=UTC)
    assert one_h_after.send_at == datetime(2026, 11, 2, 15, 29, tzinfo=UTC)
    # 24 h before is 05:30 / 06:30 the day before: moved later, to 08:00 Kolkata (02:30 UTC).
    assert by_key[(str(before.pk), "24h")].send_at == datetime(2026, 10, 26, 2, 30, tzinfo=UTC)
    assert by_key[(str(after.pk), "24h")].send_at == datetime(2026, 11, 2, 2, 30, tzinfo=UTC)
    assert by_key[(str(after.pk), "24h")].body == (
        "You have an appointment on Tuesday at 6:30 AM. Open the app for details."
    )


def test_reminder_dropped_when_quiet_hours_cover_every_useful_time(world: World) -> None:
    enrolled(world.alex)
    # 06:00 Chicago on Thursday; booked at 22:00 the evening before, inside quiet hours.
    early = session(world.program, world.fran, datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 3, 4, 0, tzinfo=UTC), tick=False):
        booking_create(session=early, client=world.alex, actor=None)
    assert _pending(world.alex) == {}


@time_machine.travel(MONDAY, tick=False)
def test_late_booking_gets_only_the_one_hour_reminder(world: World) -> None:
    enrolled(world.alex)
    soon = session(world.program, world.fran, MONDAY + timedelta(hours=5))
    booking_create(session=soon, client=world.alex, actor=None)
    assert set(_pending(world.alex)) == {"1h"}


@time_machine.travel(MONDAY, tick=False)
def test_moving_the_session_withdraws_and_replaces_pending_reminders(world: World) -> None:
    enrolled(world.alex)
    group = session(world.program, world.fran, SIX_PM)
    booking_create(session=group, client=world.alex, actor=None)
    old = _pending(world.alex)
    session_move(session=group, new_local_start=datetime(2026, 12, 3, 19, 0), actor=world.dale)
    for message in old.values():
        message.refresh_from_db()
        assert message.state == MessageState.CANCELLED
    new = _pending(world.alex)
    assert new["1h"].body == "You have an appointment at 7:00 PM. Open the app for details."
    assert new["1h"].send_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


def test_a_move_after_the_first_reminder_went_still_sends_fresh_ones(
    world: World, mailoutbox: list
) -> None:
    enrolled(world.alex)
    group = session(world.program, world.fran, SIX_PM)
    with time_machine.travel(MONDAY, tick=False):
        booking_create(session=group, client=world.alex, actor=None)
    with time_machine.travel(SIX_PM - timedelta(hours=23), tick=False):
        dispatch_due()  # the 24 h reminder goes
        assert len(mailoutbox) == 1
        session_move(session=group, new_local_start=datetime(2026, 12, 4, 18, 0), actor=None)
    assert set(_pending(world.alex)) == {"24h", "1h"}


@time_machine.travel(MONDAY, tick=False)
def test_cancelling_the_booking_withdraws_and_the_promoted_client_gets_them(
    world: World,
) -> None:
    enrolled(world.alex, world.blair)
    group = session(world.program, world.fran, SIX_PM, capacity=1)
    mine = booking_create(session=group, client=world.alex, actor=None).booking
    booking_create(session=group, client=world.blair, actor=None)  # waitlisted
    assert _pending(world.blair) == {}
    booking_cancel(booking=mine, actor=None)
    assert _pending(world.alex) == {}
    assert set(_pending(world.blair)) == {"24h", "1h"}


@time_machine.travel(MONDAY, tick=False)
def test_cancelling_the_session_or_closing_the_day_withdraws(world: World) -> None:
    enrolled(world.alex)
    first = session(world.program, world.fran, SIX_PM)
    second = session(world.program, world.fran, SIX_PM + timedelta(days=2))
    booking_create(session=first, client=world.alex, actor=None)
    booking_create(session=second, client=world.alex, actor=None)
    session_cancel(session=first, reason="Facilitator unwell", actor=world.dale)
    assert not Message.objects.filter(key__startswith=f"session:{first.pk}:", state="pending")
    closure_add(program=world.program, date=date(2026, 12, 4), reason="Holiday", actor=None)
    assert not Message.objects.filter(key__startswith=f"session:{second.pk}:", state="pending")


@time_machine.travel(MONDAY, tick=False)
def test_joining_a_series_schedules_each_booked_occurrence(world: World) -> None:
    from openiop.scheduling.models import SessionSeries

    enrolled(world.alex)
    series = SessionSeries.objects.create(
        program=world.program,
        kind=SessionKind.GROUP,
        facilitator=world.fran,
        rrule="FREQ=WEEKLY;BYDAY=WE",
        # A wall time stored labelled UTC, as series_create stores it.
        first_local_start=datetime(2026, 12, 2, 18, 0, tzinfo=UTC),
        time_zone="America/Chicago",
        duration_minutes=180,
        capacity=8,
    )
    for week in range(3):
        occurrence = session(world.program, world.fran, SIX_PM + timedelta(weeks=week))
        occurrence.series, occurrence.series_slot = series, occurrence.starts_at
        occurrence.save()
    series_join(series=series, client=world.alex, actor=None)
    assert Message.objects.filter(user=world.alex.user, channel="email").count() == 6
    assert Booking.objects.filter(client=world.alex, status=BookingStatus.BOOKED).count() == 3


# Discreet wording ------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/Chicago", "Asia/Kolkata", "Europe/London"])
def test_every_client_message_text_is_free_of_clinical_words(world: World, zone: str) -> None:
    _move_to_zone(world.alex, zone)
    texts = [(CARING_SUBJECT, CARING_BODY)]
    for kind in SessionKind.values:
        occurrence = session(world.program, world.fran, SIX_PM, kind=kind)
        texts += [reminder_text(occurrence, world.alex, label) for label in ("24h", "1h")]
    for subject, body in texts:
        assert clinical_words_in(f"{subject}\n{body}") == [], (subject, body)


def test_reminder_emails_and_texts_as_sent_carry_no_clinical_word(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    """What actually leaves: subject and body of every email (footer and link included)."""
    enrolled(world.alex, world.blair)
    sessions = [
        session(world.program, world.fran, SIX_PM + timedelta(hours=4 * h), kind=kind)
        for h, kind in enumerate(SessionKind.values)
    ]
    with time_machine.travel(MONDAY, tick=False):
        for occurrence in sessions:
            with transaction.atomic():
                booking_create(session=occurrence, client=world.alex, actor=None)
    with time_machine.travel(SIX_PM + timedelta(days=1), tick=False):
        dispatch_due()
    assert len(mailoutbox) == 2 * len(sessions)
    for email in mailoutbox:
        found = clinical_words_in(f"{email.subject}\n{email.body}")
        assert found == [], (email.subject, email.body)
    # The program's own name is clinical too ("Maple Test IOP"): registered, so refused.
    assert clinical_words_in("See you at Maple Test IOP") != []
