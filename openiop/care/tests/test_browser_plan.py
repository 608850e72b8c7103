"""A clinician writes and signs a plan on a desktop, changes it (a new version, the old one
kept read-only); the client sees their goals on their phone's home page."""

import re

import pytest
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.care.models import PlanVersion
from openiop.care.tests.support import enroll
from openiop.conftest import World

pytestmark = pytest.mark.browser


def test_clinician_writes_signs_and_versions_a_plan(world: World, new_page: NewPage) -> None:
    enroll(world.alex)
    desk = new_page("desktop")
    sign_in(desk, world.casey, next_url=f"/clients/{world.alex.pk}/plan/")
    desk.get_by_role("button", name="Start the plan").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Treatment plan, version 1 (draft)")
    assert a11y_problems(desk) == []
    desk.get_by_label("Problems").fill("Low mood most days")
    desk.get_by_label("Goal (measurable)").fill("PHQ-9 below 10 twice in a row")
    desk.get_by_label("The goal in the client's words").fill("Feel less low")
    desk.get_by_label("Target date").fill("2026-12-31")
    desk.get_by_label("Objectives").fill("Walk three times a week")
    desk.get_by_label("PHQ-9 (mood)").check()
    desk.get_by_role("button", name="Save and review for signing").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Sign version 1")
    assert a11y_problems(desk) == []
    desk.get_by_role("button", name="Sign version 1").click()
    expect(desk.get_by_role("status").first).to_contain_text("Version 1 signed")

    phone = new_page("phone")
    sign_in(phone, world.alex, next_url="/me/")
    expect(phone.get_by_role("heading", name="My goals and practice")).to_be_visible()
    expect(phone.get_by_text("Feel less low")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    assert a11y_problems(phone) == []

    desk.get_by_role("link", name="Change the plan").click()
    desk.get_by_role("button", name="Start version 2").click()
    desk.get_by_label("The goal in the client's words").first.fill("Feel better most days")
    desk.get_by_role("button", name="Save draft").click()
    expect(desk.get_by_role("status").first).to_contain_text("Draft saved")
    desk.get_by_role("link", name="Version history").click()
    desk.get_by_role("link", name="Version 1").click()
    expect(desk.get_by_role("status")).to_contain_text("read-only")
    expect(desk.get_by_text("Feel less low")).to_be_visible()
    assert [v.is_locked for v in PlanVersion.objects.order_by("number")] == [True, False]
    phone.reload()
    expect(phone.get_by_text(re.compile("Feel less low"))).to_be_visible()  # v1 still in force
