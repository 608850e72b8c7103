"""Browser: Help now on a 360 px phone, one tap from the client's pages, opening offline
after one visit (service worker cache); the help button on the phone."""

import pytest
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in, sign_out
from openiop.conftest import World
from openiop.safety.models import Alert
from openiop.safety.services import location_confirm, safety_plan_save

pytestmark = pytest.mark.browser


def test_help_now_opens_offline_on_a_phone_after_one_visit(world: World, new_page: NewPage) -> None:
    safety_plan_save(
        client=world.alex, actor=world.alex.user, sections={"coping_alone": "Walk the dog"}
    )
    location_confirm(
        client=world.alex, session=None, actor=world.alex.user, address="1 Rue", country="FR"
    )
    page = new_page("phone")
    sign_in(page, world.alex)
    page.get_by_role("link", name="Help now").first.click()
    page.wait_for_url("**/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help now")
    expect(page.get_by_role("link", name="Call 112")).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []
    # The service worker takes control and keeps a copy of the page.
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cached = "async () => Boolean(await (await caches.open('openiop-help-v1')).match('/help/'))"
    assert page.evaluate(cached)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help now")
    expect(page.get_by_text("Walk the dog")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988")).to_be_visible()
    page.context.set_offline(False)
    # Signing out clears the copy (Clear-Site-Data on the sign-out answer).
    page.reload()
    sign_out(page)
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_the_help_button_on_a_phone_tells_the_client_what_happens_next(
    world: World, new_page: NewPage
) -> None:
    page = new_page("phone")
    sign_in(page, world.alex, next_url="/help/")
    page.get_by_role("button", name="I need help now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your care team has been told")
    expect(page.get_by_role("link", name="Call 988")).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert (
        Alert.objects.filter(client=world.alex, source="help_button", severity="high").count() == 1
    )


def test_client_writes_and_signs_the_plan_and_sets_consent_on_a_phone(
    world: World, new_page: NewPage
) -> None:
    from openiop.programs.models import EmergencyContact
    from openiop.safety.models import SafetyPlan

    EmergencyContact.objects.create(
        client=world.alex, name="Pat Example", relationship="sister", phone="+12175550142"
    )
    page = new_page("phone")
    sign_in(page, world.alex, next_url="/me/safety-plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    assert a11y_problems(page) == [] and horizontal_overflow(page) == 0
    page.get_by_label("Signs that a crisis may be coming").fill("I stop answering messages")
    page.get_by_role("button", name="Save the plan").click()
    page.get_by_role("button", name="Sign this version").click()
    expect(page.get_by_text("signed by the client; waiting for the clinician")).to_be_visible()
    plan = SafetyPlan.objects.get(client=world.alex)
    assert plan.client_signed_at is not None and "988" in plan.professionals
    page.goto("/me/contacts/")
    assert a11y_problems(page) == [] and horizontal_overflow(page) == 0
    page.get_by_label("My support person").check()
    page.get_by_label("My care team may contact them if worried about my safety").check()
    page.get_by_role("button", name="Save for Pat Example").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    contact = EmergencyContact.objects.get(client=world.alex)
    assert contact.is_support_person and contact.consent_to_contact
