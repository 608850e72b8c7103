"""Discharge in a real browser on a 360 px phone: draft, confirm with the keyboard, sign, and
download the PDF for the next provider (issue #3)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from openiop.audit.models import Action, AuditEvent
from openiop.browser import a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.programs.models import Enrollment, Phase, Track
from openiop.programs.services import enrollment_open, enrollment_transition

pytestmark = pytest.mark.browser


def _fits_and_reads(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_clinician_discharges_a_client_and_downloads_the_pdf_on_a_phone(
    world: World, phone_page: Page
) -> None:
    track = Track.objects.create(
        program=world.program, name="Adult mood — evenings", schedule_label="evening"
    )
    enrollment = enrollment_open(
        client=world.alex, program=world.program, actor=world.dale, track=track
    )
    for phase in ("intake", "active"):
        enrollment_transition(enrollment=enrollment, to_phase=phase, reason="", actor=world.dale)
    page = phone_page
    sign_in(page, world.casey, next_url=f"/clients/{world.alex.pk}/")
    page.get_by_role("link", name="Discharge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge summary")
    _fits_and_reads(page)

    # Signing before the summary says why is refused, with the reason announced.
    page.get_by_role("button", name="Sign and discharge…").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the reason for discharge.")
    _fits_and_reads(page)
    page.get_by_role("link", name="Edit the draft").click()

    page.get_by_label("Reason for discharge").select_option("completed")
    page.get_by_label("Recommendations").fill("Weekly individual therapy.")
    page.get_by_label("Aftercare appointments").fill("Dr. Rivera, Lakeview Clinic")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    expect(page.get_by_label("Recommendations")).to_have_value("Weekly individual therapy.")

    page.get_by_role("button", name="Sign and discharge…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign and discharge")
    _fits_and_reads(page)
    # Keyboard only: tick the confirmation, tab to the button, press Enter.
    page.get_by_label(re.compile("I have reviewed this summary")).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The client is discharged")
    expect(page.get_by_text("A signed summary cannot be changed.")).to_be_visible()
    _fits_and_reads(page)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    assert enrollment.phase == Phase.DISCHARGED

    page.get_by_label("Sent to (optional)").fill("Lakeview Clinic")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF for the next provider").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"discharge-summary-{world.alex.pk}-")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    [export] = AuditEvent.objects.filter(action=Action.EXPORT)
    assert (export.actor, export.reason) == (world.casey, "Lakeview Clinic")
