"""On a 360 px phone: a client invites a family member, who sets a password from the mail and
sees only what was consented; after the client stops sharing they see nothing."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import PASSWORD, World
from openiop.resources.models import FamilyConsent, Resource
from openiop.resources.services import client_resource_add, resource_save
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.tests.attendance_support import book, make_session

pytestmark = pytest.mark.browser


def _fits_and_is_labelled(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_client_invites_family_who_sees_only_the_consented_items(
    world: World, new_page: NewPage, live_url: str
) -> None:
    now = timezone.now().replace(microsecond=0)
    family = make_session(
        world.program, world.casey, now + timedelta(days=2), minutes=60, kind="family"
    )
    past = make_session(world.program, world.fran, now - timedelta(days=3))
    book(family, world.alex)
    book(past, world.alex)
    attendance_record(
        session=past, client=world.alex, status="present", source="roster", actor=world.fran
    )

    page = new_page("phone")
    sign_in(page, world.alex, next_url="/me/family/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Family and support")
    _fits_and_is_labelled(page)
    page.get_by_label("Their name").fill("Robin Relative")
    page.get_by_label("Their email address").fill("robin.relative@example.test")
    page.get_by_label("How they are related to you").fill("brother")
    page.get_by_label("My session schedule and family sessions").check()
    page.get_by_label("Why you are sharing").fill("To join family sessions")
    page.get_by_label("Sharing ends on").fill(f"{(now + timedelta(days=60)).date():%Y-%m-%d}")
    page.get_by_label("Sign by typing your full name").fill("Alex Testperson")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent")
    expect(page.get_by_role("heading", name=re.compile("Robin Relative"))).to_be_visible()
    _fits_and_is_labelled(page)

    (sent,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/family/invite/\S+)", str(sent.body))[1]  # type: ignore[index]
    relative = new_page("phone")
    relative.goto(link)
    _fits_and_is_labelled(relative)
    relative.get_by_label("Choose a password").fill(PASSWORD)
    relative.get_by_label("Type it again").fill(PASSWORD)
    relative.get_by_role("button", name="Set password and sign in").click()
    expect(relative.get_by_role("heading", name="Shared with you")).to_be_visible()
    expect(relative.get_by_text("Nothing has been shared")).to_have_count(0)
    expect(relative.get_by_role("link", name="Attendance")).to_have_count(0)
    _fits_and_is_labelled(relative)
    relative.get_by_role("link", name="Schedule").click()
    expect(relative.get_by_role("heading", level=1)).to_have_text("Alex's schedule")
    expect(relative.get_by_text("You are invited to this family session.")).to_be_visible()
    _fits_and_is_labelled(relative)
    assert relative.goto(f"{live_url}/family/clients/{world.alex.pk}/attendance/").status == 404  # type: ignore[union-attr]
    assert relative.goto(f"{live_url}/clients/{world.alex.pk}/").status == 404  # type: ignore[union-attr]

    page.get_by_role("button", name="Stop sharing with Robin Relative").click()
    expect(page.get_by_role("status")).to_contain_text("You stopped sharing")
    assert FamilyConsent.objects.get().revoked_at is not None
    schedule = f"{live_url}/family/clients/{world.alex.pk}/schedule/"
    assert relative.goto(schedule).status == 404  # type: ignore[union-attr]
    relative.goto(f"{live_url}/")
    expect(relative.get_by_text("Nothing has been shared")).to_be_visible()


def test_client_finds_resources_near_them_on_a_phone(world: World, new_page: NewPage) -> None:
    def entry(name: str, postal_code: str, category: str = "peer_support") -> Resource:
        return resource_save(
            program=world.program,
            actor=world.dale,
            name=name,
            category=category,
            address_line="1 Example St",
            city="Chicago",
            region="IL",
            postal_code=postal_code,
            phone="312-555-0100",
            hours="Tuesdays 7 pm",
            last_verified_on=date(2026, 11, 1),
        )

    chosen = entry("Lakeview Circle (test)", "60657")
    entry("Evanston Walkers (test)", "60201", "activity")
    client_resource_add(client=world.alex, resource=chosen, actor=world.casey)
    page = new_page("phone")
    sign_in(page, world.alex, next_url="/me/resources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Near me")
    expect(page.get_by_role("heading", name="Lakeview Circle (test)")).to_be_visible()
    _fits_and_is_labelled(page)
    page.get_by_label("Kind of place").select_option("activity")
    page.get_by_label("ZIP code").fill("60601")
    page.get_by_label("Within").select_option("25")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("12.3 miles away")).to_be_visible()
    expect(page.get_by_role("heading", name="Evanston Walkers (test)")).to_be_visible()
    _fits_and_is_labelled(page)
