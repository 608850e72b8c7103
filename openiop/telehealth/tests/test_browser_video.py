"""End to end with a real Janus: a clinician on a desktop and a client on a 360 px phone go
through pre-join, the clinician admits the client, each receives the other's media, presence
becomes attendance, and quick exit lands on the neutral page.

Janus and Chromium run inside the harness's network namespace (openiop/telehealth/testing.py,
DEVELOPERS.md); the live server listens on the namespace's root-side address and Janus posts
its events there. Every wait polls; nothing sleeps blindly.
"""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.scheduling.models import Attendance, SessionKind
from openiop.telehealth import janus, services
from openiop.telehealth.models import Presence, Room
from openiop.telehealth.testing import JanusNetns
from openiop.telehealth.tests.conftest import make_session, sign_consent

MEDIA_TIMEOUT_MS = 30_000


def wait_until(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Poll `check()` (a database read) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def finish_check(page: Page) -> None:
    expect(page.locator("#check-status")).to_contain_text("We recommend", timeout=15_000)


def answer_client_prejoin(page: Page) -> None:
    """A client's privacy and location answers (at home, 1 Test Lane), then the waiting room."""
    page.get_by_label(re.compile("somewhere private")).check()
    page.get_by_label("I'm at this address").check()
    page.get_by_label("Street address").fill("1 Test Lane")
    page.get_by_label("City or town").fill("Testville")
    page.get_by_label("State or region").fill("IL")
    page.get_by_label("Country code").fill("US")
    page.get_by_role("button", name="Go to the waiting room").click()
    page.wait_for_url(re.compile(r"/room/$"))


def staff_opens_room(page: Page, join: str) -> None:
    """Staff: the device check, then straight into the room."""
    page.goto(join)
    finish_check(page)
    page.get_by_role("button", name="Open the room").click()
    page.wait_for_url(re.compile(r"/room/$"))


def receives(page: Page, kind: str) -> None:
    page.wait_for_function(
        f"() => window.openiopReceived && window.openiopReceived.{kind} > 0",
        timeout=MEDIA_TIMEOUT_MS,
    )


@pytest.mark.browser
def test_clinician_admits_client_and_each_receives_the_other(
    world: World, janus_settings: JanusNetns, video_new_page
) -> None:  # type: ignore[no-untyped-def]
    world.program.dial_in_phone = "+1 555 0100 222"
    world.program.save()
    sign_consent(world.alex)
    # Started 6 minutes ago, ends in 10: joining now is on time, leaving now is not early.
    session = make_session(
        world,
        starts_at=timezone.now().replace(microsecond=0) - timedelta(minutes=6),
        minutes=16,
        kind=SessionKind.INDIVIDUAL,
        facilitator=world.casey,
        clients=(world.alex,),
    )
    join = f"/sessions/{session.pk}/join/"

    # The client, on a phone: the three pre-join steps on one page.
    client = video_new_page("phone")
    sign_in(client, world.alex)
    client.goto(join)
    finish_check(client)
    assert a11y_problems(client) == [] and horizontal_overflow(client) == 0
    answer_client_prejoin(client)
    expect(client.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
    assert a11y_problems(client) == [] and horizontal_overflow(client) == 0

    # The clinician, on a desktop: device check only, then the room with the waiting list.
    clinician = video_new_page("desktop")
    sign_in(clinician, world.casey)
    staff_opens_room(clinician, join)
    waiting = clinician.locator("#waiting-list")
    expect(waiting).to_contain_text("Alex", timeout=15_000)
    expect(waiting).to_contain_text("Location: 1 Test Lane")
    expect(waiting).to_contain_text("round trip")
    expect(clinician.locator("#in-room")).to_be_visible(timeout=15_000)
    room = Room.objects.get(session=session)  # created just in time by the first ticket
    assert janus.room_exists(janus_settings.server, room=room.number)
    clinician.get_by_role("button", name="Let Alex in").click()

    # Each receives the other's media.
    expect(client.locator("#in-room")).to_be_visible(timeout=15_000)
    receives(client, "video")
    receives(clinician, "video")
    receives(client, "audio")
    receives(clinician, "audio")
    expect(clinician.locator("#room-list")).to_contain_text("Alex")
    assert horizontal_overflow(client) == 0

    # Janus's events reached Django: one open presence interval each.
    assert wait_until(lambda: Presence.objects.filter(room=room, user=world.alex.user).exists()), (
        janus_settings.log_text()[-2000:]
    )

    # Quick exit: the client is gone at once, on a page that says nothing about care.
    client.get_by_role("button", name="Quick exit").click()
    client.wait_for_url(re.compile(r"/x/$"))
    expect(client).to_have_title("Notes")
    expect(client.get_by_role("heading", level=1)).to_have_text("Notes")
    assert "OpenIOP" not in client.content()
    left = wait_until(
        lambda: Presence.objects.filter(
            room=room, user=world.alex.user, left_at__isnull=False
        ).first()
    )
    assert left is not None, "Janus did not report the client leaving"

    # The end-of-session job, driven here: attendance from presence, the room destroyed.
    services.room_close(room, now=session.ends_at + services.CLOSE_AFTER_END)
    record = Attendance.objects.get(session=session, client=world.alex, is_current=True)
    first = Presence.objects.filter(room=room, user=world.alex.user).order_by("joined_at")[0]
    assert (record.status, record.source) == ("present", "video")
    assert record.joined_at == first.joined_at and record.left_at == left.left_at
    assert not janus.room_exists(janus_settings.server, room=room.number)
    expect(clinician.locator("#left")).to_be_visible(timeout=15_000)
