"""In the room, with a real Janus (#5): a facilitator on a desktop and a client on a 360 px
phone use every control and each one shows on the other side — raise hand, chat, low
bandwidth (the lower simulcast layer arrives), screen share by staff, staff mute, audio only
(video stops arriving), lock and remove; and the staff open the client's crisis panel from
the room.

Runs inside the harness's network namespace like test_browser_video.py."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import sign_in
from openiop.conftest import World
from openiop.scheduling.models import SessionKind
from openiop.telehealth.testing import JanusNetns
from openiop.telehealth.tests.conftest import make_session, sign_consent
from openiop.telehealth.tests.test_browser_video import (
    MEDIA_TIMEOUT_MS,
    answer_client_prejoin,
    finish_check,
    receives,
    staff_opens_room,
)

# The widest inbound video frame over all the page's subscriptions (0 before any frame).
WIDEST = """async () => {
  let widest = 0;
  for (const pc of Object.values(window.openiopPeers || {})) {
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video" && r.frameWidth) {
        widest = Math.max(widest, r.frameWidth);
      }
    });
  }
  return widest;
}"""
# Local tracks' `enabled`, by kind, as the page's own stream has them.
LOCAL_ENABLED = """(kind) => {
  const v = document.getElementById("local-video");
  const s = v && v.srcObject;
  return s ? s.getTracks().filter((t) => t.kind === kind).map((t) => t.enabled) : null;
}"""


def eventually(page: Page, script: str, check, timeout: float = 40.0):  # type: ignore[no-untyped-def]
    """Evaluate `script` every half second until `check(value)` holds; return the value."""
    deadline = time.monotonic() + timeout
    value = page.evaluate(script)
    while not check(value) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        value = page.evaluate(script)
    return value


def video_bytes(page: Page) -> int:
    return int(page.evaluate("() => window.openiopInbound('video')"))


@pytest.mark.browser
def test_every_room_control_reaches_the_other_side(
    world: World, janus_settings: JanusNetns, video_new_page
) -> None:  # type: ignore[no-untyped-def]
    sign_consent(world.alex)
    session = make_session(
        world,
        starts_at=timezone.now().replace(microsecond=0) - timedelta(minutes=3),
        minutes=60,
        kind=SessionKind.GROUP,
        facilitator=world.fran,
        clients=(world.alex,),
    )
    join = f"/sessions/{session.pk}/join/"
    client = video_new_page("phone")
    sign_in(client, world.alex)
    client.goto(join)
    finish_check(client)
    answer_client_prejoin(client)
    staff = video_new_page("desktop")
    sign_in(staff, world.fran)
    staff_opens_room(staff, join)
    staff.get_by_role("button", name="Let Alex in").click(timeout=15_000)
    expect(client.locator("#in-room")).to_be_visible(timeout=15_000)
    receives(client, "video")
    receives(staff, "video")
    room_list = staff.locator("#room-list")

    # The in-session crisis panel opens in a new tab, with this session's location; the
    # video keeps going in the room's tab.
    with staff.context.expect_page() as opened:
        room_list.get_by_role("link", name="Crisis panel for Alex (opens in a new tab)").click()
    panel = opened.value
    panel.wait_for_load_state()
    expect(panel.get_by_text("1 Test Lane")).to_be_visible()
    panel.close()
    expect(staff.locator("#in-room")).to_be_visible()

    # Raise hand: the facilitator sees it, and sees it go.
    hand = client.get_by_role("button", name="Raise hand")
    hand.click()
    expect(hand).to_have_attribute("aria-pressed", "true")
    expect(room_list).to_contain_text("hand raised", timeout=15_000)
    hand.click()
    expect(room_list).not_to_contain_text("hand raised", timeout=15_000)

    # Chat, both ways.
    client.locator("#chat-text").fill("Hello from my phone")
    client.locator("#chat-text").press("Enter")
    expect(staff.locator("#chat-log")).to_contain_text("Hello from my phone", timeout=15_000)
    staff.locator("#chat-text").fill("Welcome, Alex")
    staff.locator("#chat-text").press("Enter")
    expect(client.locator("#chat-log")).to_contain_text("Welcome, Alex", timeout=15_000)

    # Low bandwidth: the phone asks for the lowest simulcast layer and gets 320-wide frames.
    assert eventually(client, WIDEST, lambda w: w > 320) > 320
    client.get_by_role("button", name="Low bandwidth").click()
    expect(client.get_by_role("button", name="Low bandwidth")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert eventually(client, WIDEST, lambda w: 0 < w <= 320) <= 320

    # Screen share by staff: a second tile on the phone, receiving frames.
    staff.get_by_role("button", name="Share screen").click()
    expect(staff.get_by_role("button", name="Share screen")).to_have_attribute(
        "aria-pressed", "true"
    )
    shared = client.locator("figure.tile figcaption", has_text="(screen)")
    expect(shared).to_have_count(1, timeout=MEDIA_TIMEOUT_MS)
    count = eventually(client, "() => Object.keys(window.openiopPeers).length", lambda n: n >= 2)
    assert count == 2
    staff.get_by_role("button", name="Share screen").click()  # stop sharing
    expect(shared).to_have_count(0, timeout=MEDIA_TIMEOUT_MS)

    # Staff mute: the phone's microphone goes off and its button says so.
    staff.get_by_role("button", name="Mute Alex").click()
    expect(client.get_by_role("button", name="Mute")).to_have_attribute(
        "aria-pressed", "true", timeout=15_000
    )
    assert client.evaluate(LOCAL_ENABLED, "audio") == [False]

    # Audio only: the phone's camera is off and video stops arriving.
    client.get_by_role("button", name="Audio only").click()
    assert client.evaluate(LOCAL_ENABLED, "video") == [False]
    client.wait_for_timeout(3000)  # let Janus act on the pause
    before = video_bytes(client)
    client.wait_for_timeout(3000)
    assert video_bytes(client) - before < 20_000  # a trickle at most, not a video stream

    # Lock, then remove: the phone leaves with the reason.
    staff.get_by_role("button", name="Lock room").click()
    expect(staff.locator("#btn-lock")).to_have_attribute("aria-pressed", "true", timeout=15_000)
    expect(staff.locator("#btn-lock")).to_have_text("Unlock room")
    staff.get_by_role("button", name="Remove Alex").click()
    expect(client.locator("#left")).to_be_visible(timeout=15_000)
    expect(client.locator("#left-detail")).to_contain_text("Staff removed you")
