"""A client answers a PHQ-9 on a 360 px phone, one question per screen (keyboard on the first
one), and their clinician then sees the trend (SVG and table) from the client record."""

import re

import pytest
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.measures.models import Response
from openiop.programs.tests.enrollment_support import drive_to, open_enrollments


@pytest.mark.browser
def test_client_completes_a_phq9_on_a_phone_and_the_clinician_sees_the_trend(
    world: World, new_page: NewPage
) -> None:
    enrolled = open_enrollments(world)
    drive_to(enrolled.alex, "intake", track=enrolled.evenings, actor=world.dale)
    page = new_page("phone")
    sign_in(page, world.alex)
    page.goto("/me/")
    page.get_by_role("link", name="How you have been feeling").click()
    for number in range(1, 10):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        assert horizontal_overflow(page) == 0
        assert a11y_problems(page) == []
        first = page.locator("label.answer").first.bounding_box()
        assert first is not None and first["height"] >= 44  # a thumb-sized target
        answer = "Several days" if number <= 5 else "Not at all"  # total 5, item 9 "Not at all"
        if number == 1:  # by keyboard: Tab onto the radio group, Space to choose, Enter
            page.get_by_label(answer).focus()
            page.keyboard.press("Space")
            expect(page.get_by_label(answer)).to_be_checked()
            page.keyboard.press("Enter")
        else:
            page.get_by_label(answer).check()
            page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 10 of 10")).to_be_visible()
    page.get_by_role("button", name="Next: check my answers").click()  # optional item
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    assert horizontal_overflow(page) == 0 and a11y_problems(page) == []
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Your care team will look at your answers with you.")).to_be_visible()
    shown = page.locator("main").inner_text()
    assert "Mild" not in shown and "score" not in shown  # no score or band for the client
    assert horizontal_overflow(page) == 0 and a11y_problems(page) == []
    assert Response.objects.get().total == 5

    staff = new_page("desktop")
    sign_in(staff, world.casey)
    staff.goto(f"/clients/{world.alex.pk}/")
    staff.get_by_role("link", name="PHQ-9").click()
    staff.wait_for_url(re.compile(r"/measures/\d+/$"))
    expect(staff.locator("svg.trend")).to_be_visible()
    expect(staff.get_by_role("img", name=re.compile("PHQ-9"))).to_be_visible()
    table = staff.get_by_role("table", name=re.compile("PHQ-9 results"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Mild")
    assert a11y_problems(staff) == []
