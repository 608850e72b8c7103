"""On a 360 px phone a client signs their plan and does an exercise (autosaved, resumed,
handed in); their clinician comments on a desktop; the client reads the comment."""

import re

import pytest
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.care.models import Occurrence
from openiop.care.tests.support import assign, enroll, first_goal, signed_plan
from openiop.conftest import World

pytestmark = pytest.mark.browser


def _fits_and_is_labelled(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_client_does_homework_on_a_phone_and_reads_the_comment(
    world: World, new_page: NewPage
) -> None:
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey)
    assign(world.alex, world.casey, key="builtin:grounding", days=1, goal=first_goal(version))
    occurrence = Occurrence.objects.get()

    phone = new_page("phone")
    sign_in(phone, world.alex, next_url="/me/plan/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("My plan")
    _fits_and_is_labelled(phone)
    phone.get_by_label("Type your full name to sign").fill("Alex Testperson")
    phone.get_by_role("button", name="Sign my plan").click()
    expect(phone.get_by_role("status").first).to_contain_text("You have signed your plan")

    phone.goto("/me/homework/")
    _fits_and_is_labelled(phone)
    phone.get_by_role("link", name=re.compile("Breathing or grounding exercise")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Breathing or grounding exercise")
    _fits_and_is_labelled(phone)

    # Autosave: a choice and a rating, then typing; leaving the field saves at once.
    phone.get_by_label("Slow breathing").check()
    before = phone.get_by_role("group", name="How tense were you before? (0–10)")
    before.get_by_label("8", exact=True).check()
    phone.get_by_label("Anything you noticed").fill("Shoulders dropped")
    phone.keyboard.press("Tab")
    expect(phone.locator("#autosave-status")).to_contain_text("Saved at")
    # An earlier save may have answered first; the one after the typing follows it.
    for _ in range(40):
        occurrence.refresh_from_db()
        if occurrence.answers.get("note") == "Shoulders dropped":
            break
        phone.wait_for_timeout(250)
    assert occurrence.answers["note"] == "Shoulders dropped" and occurrence.submitted_at is None
    assert occurrence.answers["before"] == 8

    # Resume later: the answers are still there.
    phone.goto("/me/homework/")
    phone.get_by_role("link", name=re.compile("Breathing or grounding exercise")).click()
    expect(phone.get_by_label("Anything you noticed")).to_have_value("Shoulders dropped")
    expect(before.get_by_label("8", exact=True)).to_be_checked()
    after = phone.get_by_role("group", name="How tense were you after? (0–10)")
    after.get_by_label("3", exact=True).check()
    phone.get_by_role("button", name="Hand it in").click()
    expect(phone).to_have_url(re.compile(r"/me/homework/$"))
    expect(phone.get_by_role("status").first).to_contain_text("Handed in")
    occurrence.refresh_from_db()
    assert occurrence.submitted_at is not None and occurrence.answers["after"] == 3

    desk = new_page("desktop")
    sign_in(desk, world.casey, next_url=f"/clients/{world.alex.pk}/plan/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Treatment plan")
    expect(desk.get_by_text("1 of 1 done (100%)")).to_be_visible()
    desk.get_by_role("link", name="Breathing or grounding exercise").click()
    expect(desk.get_by_text("Shoulders dropped")).to_be_visible()
    desk.get_by_label("Comment for the client").fill("Lovely: keep it going.")
    desk.get_by_role("button", name="Save comment").click()
    expect(desk.get_by_role("status").first).to_contain_text("Comment saved")

    phone.get_by_role("link", name=re.compile("Breathing or grounding exercise")).click()
    expect(phone.get_by_role("heading", name=re.compile("Comment from"))).to_be_visible()
    expect(phone.get_by_text("Lovely: keep it going.")).to_be_visible()
    _fits_and_is_labelled(phone)
