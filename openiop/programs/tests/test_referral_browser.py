"""Referral intake in a real browser: a clinician records a referral with a letter on a 360 px
phone, fixes a refused input, and the new client sets a password from the emailed link."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.programs.models import ClientDocument, Referral
from openiop.programs.tests.referral_support import pdf_bytes

pytestmark = pytest.mark.browser

NEW_PASSWORD = "maple leaves in late october"


def _fits(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_a_referral_from_a_phone_then_the_client_sets_a_password(
    world: World, new_page: NewPage, live_url: str, settings: Any, tmp_path: Path
) -> None:
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path / "documents"
    settings.OPENIOP_BASE_URL = live_url
    mail.outbox.clear()
    page = new_page("phone")
    sign_in(page, world.casey)
    page.goto("/referrals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    _fits(page)

    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Newperson")
    page.get_by_label("Date of birth").fill("1994-04-04")
    page.get_by_label("Client's email").fill("robin@example.test")
    page.get_by_label("Client's phone (optional)").fill("(312) 555-0123")
    page.get_by_label("Client's time zone").fill("Mars/Olympus")
    page.get_by_label("Referral source").select_option("inpatient_unit")
    page.get_by_label("Referring provider (optional)").fill("Dr. Rowan Example (fictional)")
    page.get_by_role("button", name="Save referral").click()

    # Refused: the summary is announced and names the field; nothing was saved.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("is not a time zone")
    _fits(page)
    assert not Referral.objects.exists()

    page.get_by_label("Client's time zone").fill("America/Chicago")
    page.get_by_label("Documents (optional)").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Save referral").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Newperson")
    expect(page.get_by_role("link", name="letter.pdf")).to_be_visible()
    _fits(page)
    referral = Referral.objects.get()
    assert ClientDocument.objects.filter(referral=referral).count() == 1

    # The client, on their own phone, follows the link in the email.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/invite/\S+/", str(message.body))
    assert link
    phone = new_page("phone")
    phone.goto(link.group(0))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Choose your password")
    _fits(phone)
    phone.get_by_label("Choose a password").fill("short")
    phone.get_by_label("Type it again").fill("short")
    phone.get_by_role("button", name="Set password and sign in").click()
    expect(phone.get_by_role("alert")).to_contain_text("too short")
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_label("Type it again").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Set password and sign in").click()
    phone.wait_for_url(lambda url: "/invite/" not in url)
    assert re.search(r"/(welcome|me)/", phone.url)
    _fits(phone)

    # The link is spent.
    again = new_page("phone")
    again.goto(link.group(0))
    expect(again.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    _fits(again)
