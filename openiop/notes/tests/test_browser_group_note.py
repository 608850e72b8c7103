"""Browser: a facilitator writes the whole group's note on one page and signs it with one
submit, from the queue, on a phone-sized screen."""

import pytest
from playwright.sync_api import Page, expect

from openiop.browser import a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.notes.models import GroupNote, ProgressNote
from openiop.notes.tests.support import attend, group_members, past_session

pytestmark = pytest.mark.browser


def test_facilitator_writes_and_signs_a_group_note_in_one_submit(
    world: World, phone_page: Page
) -> None:
    members = [world.alex, *group_members(world, 3)]
    session = past_session(world, kind="group", minutes=180, clients=tuple(members))
    for client in members[:-1]:
        attend(session, client)
    attend(session, members[-1], "excused")
    page = phone_page
    sign_in(page, world.fran)
    page.get_by_role("link", name="Notes to sign").first.click()
    page.get_by_role("link", name="Write group note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Group note")
    assert a11y_problems(page) == [] and horizontal_overflow(page) == 0
    absent = page.get_by_label(members[-1].full_name)
    expect(absent).to_have_value(
        "Did not attend this group (excused). No participation to document."
    )
    page.get_by_label("Shared summary").fill("Topic: values. Members named one value each.")
    for client in members[:-1]:
        page.get_by_label(client.full_name).fill(f"Named a value; {client.first_name} engaged.")
    page.get_by_role("button", name="Sign all").click()
    expect(page.get_by_text("Group note signed: 4 entries filed.")).to_be_visible()
    assert GroupNote.objects.get(session=session).signed_at is not None
    assert ProgressNote.objects.filter(session=session, status="signed").count() == 4


def test_clinician_writes_and_signs_an_individual_note_from_the_queue(
    world: World, desktop_page: Page
) -> None:
    session = past_session(world, minutes=50)
    attend(session, world.alex)
    page = desktop_page
    sign_in(page, world.casey)
    expect(page.get_by_text("0 overdue, 1 due")).to_be_visible()
    page.get_by_role("link", name="Notes to sign").first.click()
    page.get_by_role("button", name="Write note").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Testperson")
    assert a11y_problems(page) == []
    page.get_by_label("Data").fill("Reported two good nights.")
    page.get_by_label("Assessment").fill("Steadier.")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Write the plan section before signing.")).to_be_visible()
    assert a11y_problems(page) == []
    page.get_by_label("Plan").fill("Continue the routine.")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    expect(page.get_by_text("90834")).to_be_visible()
    assert a11y_problems(page) == []
    assert ProgressNote.objects.get(session=session).status == "signed"
