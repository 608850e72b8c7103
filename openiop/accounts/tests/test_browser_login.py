"""Signing in with a real browser, as each role (issue #2); the client on a 360 px phone."""

import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from openiop.accounts.services import user_create
from openiop.accounts.views import BAD_CREDENTIALS
from openiop.browser import (
    NewPage,
    a11y_problems,
    fresh_code,
    horizontal_overflow,
    sign_in,
    sign_out,
)
from openiop.conftest import PASSWORD, World
from openiop.lib.totp import base32_to_hex
from openiop.programs.services import program_staff_add

pytestmark = pytest.mark.browser


def _h1(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_client_on_a_phone_lands_on_their_own_page(world: World, phone_page: Page) -> None:
    sign_in(phone_page, world.alex)
    expect(phone_page).to_have_url(re.compile(r"/me/$"))
    assert _h1(phone_page) == "Hello, Alex"
    expect(phone_page.get_by_role("link", name="988")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert horizontal_overflow(phone_page) == 0
    assert a11y_problems(phone_page) == []


def test_clinician_passes_totp_and_opens_a_client_on_their_caseload(
    world: World, desktop_page: Page
) -> None:
    page = desktop_page
    sign_in(page, world.casey)
    assert _h1(page) == "Your caseload"
    caseload = page.get_by_role("table", name="Clients you can see")
    expect(caseload.get_by_role("link")).to_have_text(["Alex Testperson"])
    assert a11y_problems(page) == []
    caseload.get_by_role("link", name="Alex Testperson").click()
    expect(page).to_have_url(re.compile(rf"/clients/{world.alex.pk}/$"))
    assert _h1(page) == "Alex Testperson"
    expect(page.get_by_role("listitem").filter(has_text="Casey Primary")).to_be_visible()
    assert a11y_problems(page) == []


def test_facilitator_sees_only_the_clients_of_their_groups(
    world: World, desktop_page: Page
) -> None:
    sign_in(desktop_page, world.fran)
    assert _h1(desktop_page) == "Your caseload"
    expect(desktop_page.locator("table.list tbody a")).to_have_text(["Alex Testperson"])


def test_director_sees_every_client_of_the_program(world: World, desktop_page: Page) -> None:
    sign_in(desktop_page, world.dale)
    assert _h1(desktop_page) == "Clients in your programs"
    # Sorted by last name.
    expect(desktop_page.locator("table.list tbody a")).to_have_text(
        ["Blair Otherperson", "Alex Testperson"]
    )


def test_compliance_officer_lands_on_the_audit_trail(world: World, desktop_page: Page) -> None:
    sign_in(desktop_page, world.cora)
    expect(desktop_page).to_have_url(re.compile(r"/compliance/audit/$"))
    assert _h1(desktop_page) == "Audit trail"
    assert a11y_problems(desktop_page) == []


def test_site_admin_reaches_the_django_admin_after_totp(world: World, desktop_page: Page) -> None:
    page = desktop_page
    sign_in(page, world.ada)
    assert _h1(page) == "Site administration"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert _h1(page) == "Accounts and settings"
    expect(page.get_by_role("link", name="OpenIOP administration")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_be_visible()


def test_family_member_lands_on_a_page_without_client_records(
    world: World, phone_page: Page
) -> None:
    sign_in(phone_page, world.fay)
    assert _h1(phone_page) == "Welcome"
    assert a11y_problems(phone_page) == []
    body = phone_page.locator("body").inner_text()
    assert "Alex" not in body and "Blair" not in body
    assert phone_page.locator("a[href*='/clients/']").count() == 0
    assert horizontal_overflow(phone_page) == 0
    phone_page.goto(f"/clients/{world.alex.pk}/")
    assert _h1(phone_page) == "Not found"


def test_new_staff_member_enrols_an_authenticator_and_gets_recovery_codes(
    world: World, desktop_page: Page
) -> None:
    newcomer = user_create(
        email="nova@example.test", role="clinician", password=PASSWORD, display_name="Nova New"
    )
    program_staff_add(program=world.program, user=newcomer)
    page = desktop_page
    page.goto("/login/")
    page.get_by_label("Email").fill(newcomer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/mfa/"))
    assert _h1(page) == "Set up two-step sign-in"
    qr = page.get_by_role("img", name=re.compile("QR code for your authenticator app"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert a11y_problems(page) == []
    # Until the second step is done the menu offers nothing but signing out.
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_count(0)

    code = f"{totp(bytes.fromhex(base32_to_hex(secret))):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Confirm").click()
    assert _h1(page) == "Save your recovery codes"
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name=re.compile("I have saved them")).click()
    assert _h1(page) == "Your caseload"


def test_wrong_password_shows_a_clear_error(world: World, phone_page: Page) -> None:
    page = phone_page
    page.goto("/login/")
    page.get_by_label("Email").fill(world.alex.user.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(BAD_CREDENTIALS)
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("Email")).to_have_value(world.alex.user.email)
    assert a11y_problems(page) == []
    assert horizontal_overflow(page) == 0


def test_empty_form_errors_are_announced_and_tied_to_their_fields(
    world: World, phone_page: Page
) -> None:
    page = phone_page
    page.goto("/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("This field is required")
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("This field is required"))
    assert a11y_problems(page) == []


def test_keyboard_only_sign_in(world: World, new_page: NewPage) -> None:
    page = new_page("desktop")
    page.goto("/login/")
    # The email field has focus on arrival; Tab, type and Enter do the rest.
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(world.casey.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_focused()
    page.keyboard.type(fresh_code(world.casey))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    # The first Tab on a page reaches the skip link, which jumps to the content.
    page.reload()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_sign_out_returns_to_login_and_back_does_not_show_the_record(
    world: World, desktop_page: Page
) -> None:
    page = desktop_page
    sign_in(page, world.casey)
    page.goto(f"/clients/{world.alex.pk}/")
    assert _h1(page) == "Alex Testperson"
    sign_out(page)
    assert _h1(page) == "Sign in"
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.go_back()
    expect(page.get_by_text("Alex Testperson")).to_have_count(0)
    page.reload()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    expect(page.get_by_text("Alex Testperson")).to_have_count(0)


def test_back_after_sign_out_does_not_restore_the_record_from_the_bfcache(
    world: World, new_page: NewPage
) -> None:
    page = new_page("desktop", bfcache=True)
    sign_in(page, world.casey)
    page.goto(f"/clients/{world.alex.pk}/")
    sign_out(page)
    page.go_back(wait_until="commit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in", timeout=1_500)
