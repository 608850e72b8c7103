"""A director creates a weekly series on a 360 px phone with the keyboard, then reads it on
the day view of its facilitator."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.scheduling.models import SessionSeries

pytestmark = pytest.mark.browser


def _fits_and_is_labelled(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_director_creates_a_series_and_the_facilitator_sees_it(
    world: World, new_page: NewPage
) -> None:
    zone = ZoneInfo("America/Chicago")
    today = timezone.localdate(timezone.now(), zone)
    monday = today + timedelta(days=7 - today.weekday())
    page = new_page("phone")
    sign_in(page, world.dale)
    page.get_by_role("link", name="My day").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My sessions on")
    _fits_and_is_labelled(page)
    page.get_by_role("link", name="New series in Maple Test IOP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New weekly series in Maple Test IOP")
    _fits_and_is_labelled(page)

    page.get_by_label("Kind of session").select_option("group")
    page.get_by_label("Facilitator").select_option(label="Fran Facilitator")
    for day in ("Monday", "Wednesday"):
        box = page.get_by_label(day, exact=True)
        box.focus()
        page.keyboard.press("Space")  # checkboxes by keyboard
        expect(box).to_be_checked()
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("First week starting").fill(monday.isoformat())
    page.get_by_label("Last date (optional)").fill((monday + timedelta(days=13)).isoformat())
    page.get_by_role("button", name="Create series").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Series created: 4 sessions.")
    series = SessionSeries.objects.get()
    assert series.rrule.startswith("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=")

    fran = new_page("phone")
    world.fran.time_zone = "America/Chicago"
    world.fran.save(update_fields=["time_zone"])
    sign_in(fran, world.fran)
    fran.goto(f"/schedule/day/?date={monday:%Y-%m-%d}")
    row = fran.get_by_role("row", name="18:00–21:00")
    expect(row).to_contain_text("Group session")
    expect(row).to_contain_text("0 of 12")
    _fits_and_is_labelled(fran)
