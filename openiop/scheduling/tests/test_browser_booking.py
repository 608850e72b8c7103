"""A client books a group seat and moves their individual session, on a 360 px phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.scheduling.models import Booking
from openiop.scheduling.services.bookings import booking_create
from openiop.scheduling.tests.booking_helpers import enrolled, session, track

pytestmark = pytest.mark.browser


def _fits_and_is_labelled(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_client_books_and_moves_a_session_on_a_phone(world: World, new_page: NewPage) -> None:
    enrolled(world.alex)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    group = session(
        world.program,
        world.fran,
        start + timedelta(days=1, hours=2),
        capacity=6,
        track=track(world.program, "Evenings", "evening"),
    )
    mine = session(world.program, world.casey, start + timedelta(days=3), kind="individual")
    free = session(world.program, world.casey, start + timedelta(days=4), kind="individual")
    booking = booking_create(session=mine, client=world.alex, actor=None).booking

    page = new_page("phone")
    sign_in(page, world.alex, next_url="/my-week/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session")
    _fits_and_is_labelled(page)
    page.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(page).to_have_url(re.compile(r"/my-week/$"))
    expect(page.get_by_role("status")).to_contain_text("You're booked in")
    assert Booking.objects.get(session=group).client == world.alex
    _fits_and_is_labelled(page)

    page.get_by_role("link", name="Move this session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move a session")
    _fits_and_is_labelled(page)
    page.locator(f'input[name="to_session"][value="{free.pk}"]').focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Move my session").click()
    expect(page.get_by_role("status")).to_contain_text("Your session has been moved.")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert Booking.objects.get(session=free).client == world.alex
    _fits_and_is_labelled(page)


def test_client_sees_why_a_session_cannot_be_moved_on_a_phone(
    world: World, new_page: NewPage
) -> None:
    enrolled(world.alex)
    soon = session(
        world.program, world.casey, timezone.now() + timedelta(hours=5), kind="individual"
    )
    booking = booking_create(session=soon, client=world.alex, actor=None).booking
    page = new_page("phone")
    sign_in(page, world.alex, next_url=f"/my-week/move/{booking.pk}/")
    expect(page.get_by_role("status")).to_contain_text(
        "Sessions can be moved up to 24 hours before they start; "
        "call your care team at +1 555 0100 999."
    )
    expect(page.get_by_role("button", name="Move my session")).to_have_count(0)
    _fits_and_is_labelled(page)
