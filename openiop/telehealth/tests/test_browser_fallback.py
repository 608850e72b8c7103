"""When Janus cannot be reached the room page says so plainly and shows the dial-in number."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World


@pytest.mark.browser
def test_janus_unreachable_shows_the_dial_in_number(
    world: World, group_now: Any, new_page: NewPage, settings: Any
) -> None:
    settings.JANUS_URLS = ["http://127.0.0.1:9/janus"]  # nothing listens there
    world.program.dial_in_phone = "+1 555 0100 777"
    world.program.save()
    page = new_page("phone")
    sign_in(page, world.fran)
    page.goto(f"/sessions/{group_now.pk}/join/")
    expect(page.locator("#check-status")).to_contain_text("We recommend", timeout=15_000)
    page.get_by_role("button", name="Open the room").click()
    page.wait_for_url(re.compile(r"/room/$"))
    fallback = page.locator("#fallback")
    expect(fallback).to_be_visible(timeout=15_000)
    expect(fallback).to_contain_text("Video is not working right now")
    expect(fallback).to_contain_text("Join by phone instead: +1 555 0100 777")
    expect(page.get_by_role("link", name="Call +1 555 0100 777")).to_be_visible()
    assert a11y_problems(page) == [] and horizontal_overflow(page) == 0
