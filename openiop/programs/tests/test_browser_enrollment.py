"""Enrollment phases and the program board in a real browser, on a 360 px phone: a clinician
moves a client from referral to active (refused first, with the reason, until a track is
assigned), by keyboard; the director reads the board and edits the program's settings."""

import re

import pytest
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.programs.models import Enrollment, Phase
from openiop.programs.tests.enrollment_support import Enrolled, open_enrollments

pytestmark = pytest.mark.browser


@pytest.fixture
def enrolled(world: World) -> Enrolled:
    return open_enrollments(world)


def _fits_and_is_labelled(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def _move(page: Page, phase: str, reason: str) -> None:
    """Choose the phase, type the reason and submit, with the keyboard only."""
    page.get_by_label("Move to phase").focus()
    page.keyboard.press("Tab")  # away and back: the select is reachable by Tab
    page.keyboard.press("Shift+Tab")
    page.get_by_label("Move to phase").select_option(phase)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Reason")).to_be_focused()
    page.keyboard.type(reason)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change phase")).to_be_focused()
    page.keyboard.press("Enter")


def test_clinician_moves_a_client_to_active_on_a_phone(
    enrolled: Enrolled, new_page: NewPage
) -> None:
    world = enrolled.world
    page = new_page("phone")
    sign_in(page, world.casey)
    page.get_by_role("link", name="Alex Testperson").click()
    expect(page.get_by_role("heading", name="Enrollment")).to_be_visible()
    _fits_and_is_labelled(page)

    _move(page, "intake", "Intake assessment booked")
    expect(page.get_by_role("status")).to_contain_text("now intake")
    expect(page.get_by_role("cell", name="Intake assessment booked")).to_be_visible()
    expect(page.get_by_text("Before this client can become active")).to_be_visible()

    _move(page, "active", "Ready to start")
    expect(page).to_have_url(re.compile(r"/clients/\d+/phase/$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Assign a track before activating.")
    _fits_and_is_labelled(page)
    assert Enrollment.objects.get(pk=enrolled.alex.pk).phase == Phase.INTAKE

    page.get_by_role("link", name="Back to Alex Testperson").click()
    page.get_by_label("Track").select_option(label="Adult mood — evenings")
    page.get_by_role("button", name="Assign track").click()
    expect(page.get_by_role("status")).to_contain_text("Track set to Adult mood — evenings")
    _move(page, "active", "Ready to start")
    expect(page.get_by_role("status")).to_contain_text("now active")
    expect(page.get_by_text("9.0 hours")).to_be_visible()
    _fits_and_is_labelled(page)


def test_director_reads_the_board_and_edits_settings_on_a_phone(
    enrolled: Enrolled, new_page: NewPage
) -> None:
    world = enrolled.world
    page = new_page("phone")
    sign_in(page, world.dale)
    page.get_by_role("link", name="program board").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("program board")
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    expect(page.get_by_role("link", name="Blair Otherperson")).to_be_visible()
    _fits_and_is_labelled(page)

    page.get_by_role("link", name="Program settings and tracks").click()
    _fits_and_is_labelled(page)
    page.get_by_label("Weekly minimum (hours)", exact=True).fill("45")
    page.get_by_label("Step-down weekly minimum (hours)").fill("4")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("at most 40")
    _fits_and_is_labelled(page)
    page.get_by_label("Weekly minimum (hours)", exact=True).fill("10")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Program settings saved.")
    world.program.refresh_from_db()
    assert (world.program.min_weekly_hours, world.program.step_down_hours) == (10, 4)

    page.locator("#track_name").fill("Weekend skills")
    page.get_by_label("Meets in the").select_option("weekend")
    page.get_by_label("Capacity (clients)").fill("6")
    page.get_by_role("button", name="Add track").click()
    expect(page.get_by_role("status")).to_contain_text("Weekend skills")
    expect(page.get_by_role("link", name="Weekend skills")).to_be_visible()
