"""End to end with a real Janus (#10 with #5): a family member, on a 360 px phone, joins a
family session from the family portal under the client's consent, waits, is let in by the
clinician and each receives the other's media; the client then revokes the consent and the
family member is out of the room at once (their page hangs up, Janus drops the feed).

Runs inside the harness's network namespace like test_browser_video.py."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openiop.browser import a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.resources.services import family_consent_revoke
from openiop.resources.tests.support import alex_shares_with_fay
from openiop.scheduling.models import SessionKind
from openiop.telehealth.models import Presence, Room
from openiop.telehealth.testing import JanusNetns
from openiop.telehealth.tests.conftest import make_session, sign_consent
from openiop.telehealth.tests.test_browser_video import (
    finish_check,
    receives,
    staff_opens_room,
    wait_until,
)


@pytest.mark.browser
def test_family_member_joins_the_family_session_and_leaves_when_consent_is_revoked(
    world: World, janus_settings: JanusNetns, video_new_page
) -> None:  # type: ignore[no-untyped-def]
    sign_consent(world.alex)
    session = make_session(
        world,
        starts_at=timezone.now().replace(microsecond=0) - timedelta(minutes=2),
        minutes=50,
        kind=SessionKind.FAMILY,
        facilitator=world.casey,
        clients=(world.alex,),
    )
    world.fay.display_name = "Fay"
    world.fay.save(update_fields=["display_name"])
    consent = alex_shares_with_fay(world, "schedule", name="Fay")

    # Fay, on a phone: the family portal's home offers the session with one tap.
    fay = video_new_page("phone")
    sign_in(fay, world.fay)
    fay.goto("/")
    expect(fay.get_by_role("heading", name="Family session now")).to_be_visible()
    fay.get_by_role("link", name="Join the family session").click()
    fay.wait_for_url(re.compile(rf"/sessions/{session.pk}/join/$"))
    finish_check(fay)
    expect(fay.get_by_text("Where are you right now?")).to_have_count(0)
    assert a11y_problems(fay) == [] and horizontal_overflow(fay) == 0
    fay.get_by_role("button", name="Go to the waiting room").click()
    fay.wait_for_url(re.compile(r"/room/$"))
    expect(fay.get_by_role("heading", name="You're in the waiting room")).to_be_visible()

    # Casey lets her in; she is marked as family and has no location line.
    casey = video_new_page("desktop")
    sign_in(casey, world.casey)
    staff_opens_room(casey, f"/sessions/{session.pk}/join/")
    waiting = casey.locator("#waiting-list")
    expect(waiting).to_contain_text("Fay (family)", timeout=15_000)
    expect(waiting).not_to_contain_text("Location")
    expect(casey.locator("#in-room")).to_be_visible(timeout=15_000)
    casey.get_by_role("button", name="Let Fay (family) in").click()
    expect(fay.locator("#in-room")).to_be_visible(timeout=15_000)
    receives(fay, "video")
    receives(casey, "video")
    assert horizontal_overflow(fay) == 0
    room = Room.objects.get(session=session)
    assert wait_until(lambda: Presence.objects.filter(room=room, user=world.fay).exists()), (
        janus_settings.log_text()[-2000:]
    )

    # Alex stops sharing: Fay is out at once.
    family_consent_revoke(consent=consent, actor=world.alex.user)
    expect(fay.locator("#left")).to_be_visible(timeout=15_000)
    expect(fay.locator("#left-detail")).to_contain_text("no longer in this session")
    gone = wait_until(
        lambda: Presence.objects.filter(room=room, user=world.fay, left_at__isnull=False).first()
    )
    assert gone is not None, "Janus did not drop the family member's feed"
    expect(casey.locator("#room-list")).not_to_contain_text("Fay", timeout=15_000)
