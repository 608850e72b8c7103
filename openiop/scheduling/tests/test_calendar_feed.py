"""Private calendar feeds: issued once, revocable, RFC 5545 parsed back with icalendar and
matched against the database; nothing clinical in them."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from icalendar import Calendar

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.services import track_create
from openiop.scheduling.models import BookingStatus, CalendarFeed, Session, SessionStatus
from openiop.scheduling.services.calendar import (
    EVENT_SUMMARY,
    calendar_feed_issue,
    calendar_feed_revoke,
)
from openiop.scheduling.tests.attendance_support import book, make_session

Login = Callable[[User], HttpClient]


def _feed(client: HttpClient, raw: str) -> Calendar:
    response = client.get(f"/calendar/{raw}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.fixture
def sessions(world: World) -> dict[str, Session]:
    """Alex is booked in a group next week (in a trauma track), a cancelled group and a group
    20 days ago; waitlisted in one, and not in a session too far ahead."""
    now = timezone.now().replace(microsecond=0)
    track = track_create(
        program=world.program,
        name="Trauma processing — evenings",
        schedule_label="evening",
        actor=None,
    )
    made = {
        "next": make_session(world.program, world.fran, now + timedelta(days=7)),
        "cancelled": make_session(
            world.program, world.fran, now + timedelta(days=8), status=SessionStatus.CANCELLED
        ),
        "past": make_session(world.program, world.fran, now - timedelta(days=20), minutes=90),
        "waitlisted": make_session(world.program, world.fran, now + timedelta(days=9)),
        "far": make_session(world.program, world.fran, now + timedelta(days=120)),
        "old": make_session(world.program, world.fran, now - timedelta(days=40)),
    }
    made["next"].track = track
    made["next"].save()
    made["cancelled"].moved_from = made["cancelled"].starts_at - timedelta(days=1)
    made["cancelled"].save()
    for name in ("next", "cancelled", "past", "far", "old"):
        book(made[name], world.alex)
    book(made["waitlisted"], world.alex, status=BookingStatus.WAITLISTED)
    return made


def test_clients_feed_matches_the_database(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = calendar_feed_issue(user=world.alex.user)
    calendar = _feed(client, raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    expected = {name: sessions[name] for name in ("past", "next", "cancelled")}
    assert set(events) == {f"session-{s.pk}@openiop" for s in expected.values()}
    for name, session in expected.items():
        event = events[f"session-{session.pk}@openiop"]
        assert event.decoded("DTSTART") == session.starts_at
        assert event.decoded("DTEND") == session.ends_at
        assert event.decoded("DTSTART").tzinfo is not None
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert "DTSTAMP" in event
        assert str(event["SUMMARY"]) == EVENT_SUMMARY
        if name == "cancelled":
            assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 2
            assert "DESCRIPTION" not in event
        else:
            assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 0
            assert str(event["DESCRIPTION"]) == f"http://testserver/sessions/{session.pk}/join/"


def test_feed_text_carries_no_clinical_detail_or_name(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = calendar_feed_issue(user=world.alex.user)
    text = client.get(f"/calendar/{raw}.ics").content.decode()
    for secret in ("Trauma", "Group session", "group", "Alex", "Testperson", "Maple", "Fran"):
        assert secret not in text
    assert text.startswith("BEGIN:VCALENDAR\r\n")  # CRLF line endings as RFC 5545 asks


def test_staff_feed_lists_the_sessions_they_facilitate(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = calendar_feed_issue(user=world.fran)
    uids = {str(e["UID"]) for e in _feed(client, raw).walk("VEVENT")}
    in_window = ("next", "cancelled", "past", "waitlisted")
    assert uids == {f"session-{sessions[n].pk}@openiop" for n in in_window}
    raw, _ = calendar_feed_issue(user=world.casey)
    assert list(_feed(client, raw).walk("VEVENT")) == []


def test_the_uid_is_stable_when_a_session_moves(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = calendar_feed_issue(user=world.alex.user)
    session = sessions["next"]
    session.moved_from = session.starts_at
    session.starts_at += timedelta(hours=2)
    session.ends_at += timedelta(hours=2)
    session.save()
    event = next(
        e
        for e in _feed(client, raw).walk("VEVENT")
        if str(e["UID"]) == f"session-{session.pk}@openiop"
    )
    assert event.decoded("DTSTART") == session.starts_at and event["SEQUENCE"] == 1


def test_only_the_digest_is_stored_and_issue_and_revoke_are_audited(world: World) -> None:
    raw, feed = calendar_feed_issue(user=world.fran)
    assert feed.digest == CalendarFeed.digest_of(raw) and raw not in feed.digest
    events = AuditEvent.objects.filter(object_type="calendar_feed")
    assert [(e.action, e.object_id) for e in events] == [("create", str(feed.pk))]
    assert calendar_feed_revoke(user=world.fran) == 1
    assert [e.action for e in events.order_by("seq")] == ["create", "delete"]
    assert not AuditEvent.objects.filter(reason__contains=raw).exists()


def test_revoked_replaced_and_unknown_tokens_get_404(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    first, _ = calendar_feed_issue(user=world.alex.user)
    second, _ = calendar_feed_issue(user=world.alex.user)  # replaces the first
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200
    calendar_feed_revoke(user=world.alex.user)
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.digest_of(first)}.ics").status_code == 404


def test_anothers_token_cannot_be_guessed(world: World, client: HttpClient) -> None:
    raws = {calendar_feed_issue(user=u)[0] for u in (world.alex.user, world.fran, world.dale)}
    assert len(raws) == 3 and all(len(r) >= 43 for r in raws)  # 256 random bits each
    feeds = CalendarFeed.objects.filter(revoked_at__isnull=True)
    assert {f.digest for f in feeds} == {CalendarFeed.digest_of(r) for r in raws}


def test_calendar_page_shows_the_url_once_and_revokes(world: World, login_as: Login) -> None:
    client = login_as(world.alex.user)
    page = client.get("/calendar/").content.decode()
    assert "You have no calendar link." in page
    made = client.post("/calendar/new/")
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    url = made.context["new_url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert url in made.content.decode()
    again = client.get("/calendar/").content.decode()
    assert url not in again and "cannot be shown again" in again
    client.post("/calendar/revoke/")
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    assert "You have no calendar link." in client.get("/calendar/").content.decode()


def test_calendar_pages_need_sign_in_and_post(client: HttpClient, world: World) -> None:
    assert client.get("/calendar/").status_code == 302
    assert client.post("/calendar/new/").status_code == 302
    assert not CalendarFeed.objects.exists()


def test_feed_window_is_thirty_days_back_to_ninety_ahead(
    world: World, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = calendar_feed_issue(user=world.alex.user)
    starts = [e.decoded("DTSTART") for e in _feed(client, raw).walk("VEVENT")]
    now = datetime.now(UTC)
    assert all(now - timedelta(days=30) <= s < now + timedelta(days=90) for s in starts)


def test_a_refused_token_is_not_written_to_the_log(
    world: World, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    raw, _ = calendar_feed_issue(user=world.fran)
    calendar_feed_revoke(user=world.fran)
    with caplog.at_level("DEBUG"):
        assert client.get(f"/calendar/{raw}.ics").status_code == 404
    assert raw not in caplog.text


def test_client_home_and_staff_nav_link_to_the_calendar_page(world: World, login_as: Login) -> None:
    assert 'href="/calendar/"' in login_as(world.alex.user).get("/me/").content.decode()
    for staff in (world.fran, world.casey, world.dale):
        assert 'href="/calendar/"' in login_as(staff).get("/").content.decode()
    board = login_as(world.dale).get("/programs/maple/board/").content.decode()
    assert 'href="/programs/maple/compliance/"' in board
