"""Browser: a facilitator takes attendance on a phone with the keyboard; a client makes a
calendar link on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.scheduling.models import Attendance
from openiop.scheduling.tests.attendance_support import book, make_session

pytestmark = pytest.mark.browser


def test_facilitator_takes_attendance_and_corrects_it_on_a_phone(
    world: World, phone_page: Page
) -> None:
    session = make_session(world.program, world.fran, timezone.now() - timedelta(minutes=30))
    book(session, world.alex, world.blair)
    page = phone_page
    sign_in(page, world.fran)
    page.goto(f"/sessions/{session.pk}/roster/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    assert a11y_problems(page) == []
    assert horizontal_overflow(page) == 0
    alex = page.get_by_role("group", name="Attendance of Alex Testperson")
    present = alex.get_by_role("button", name="Present")
    box = present.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    present.focus()
    page.keyboard.press("Enter")  # one tap, from the keyboard
    expect(page.locator(f"#client-{world.alex.pk}")).to_contain_text("Recorded: Present")
    assert Attendance.objects.get(client=world.alex).status == "present"

    page.get_by_label("Reason for a correction").fill("left at the break")
    page.get_by_role("group", name="Attendance of Alex Testperson").get_by_role(
        "button", name="Left early"
    ).click()
    row = page.locator(f"#client-{world.alex.pk}")
    expect(row).to_contain_text("Recorded: Left early")
    expect(row).to_contain_text("corrected")
    row.get_by_text("Earlier records (1)").click()
    expect(row).to_contain_text("corrected because: left at the break")
    assert a11y_problems(page) == []
    assert Attendance.objects.filter(client=world.alex).count() == 2


def test_client_makes_a_calendar_link_on_a_phone(world: World, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, world.alex)
    page.goto("/me/")
    page.get_by_role("link", name="Add my sessions to my calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    page.get_by_role("button", name="Make a calendar link").click()
    url = page.get_by_role("textbox", name="Calendar link").input_value()
    assert url.endswith(".ics") and "/calendar/" in url
    assert a11y_problems(page) == [] and horizontal_overflow(page) == 0
    response = page.request.get(url)
    assert response.status == 200 and response.text().startswith("BEGIN:VCALENDAR")
    page.get_by_role("button", name="Stop sharing: turn the link off").click()
    expect(page.get_by_text("Your calendar link no longer works.")).to_be_visible()
    assert page.request.get(url).status == 404
