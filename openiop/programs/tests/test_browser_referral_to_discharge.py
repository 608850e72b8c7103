"""Issue #3 end to end in a real browser: a clinician records a referral with a letter; the
client sets a password from the emailed link and onboards on a 360 px phone; the clinician
follows the intake queue and moves the enrollment referred → intake → active → step-down;
the director seats the primary clinician; the clinician discharges and downloads the PDF.
Then the audit trail is read back and its chain verified."""

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from openiop.audit.models import Action, AuditEvent
from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.programs.models import Client, ConsentKind, EnrollmentTransition, Phase
from openiop.programs.onboarding import current_consent
from openiop.programs.services.programs import track_create
from openiop.programs.tests.referral_support import pdf_bytes

pytestmark = pytest.mark.browser

PASSWORD = "maple leaves in late october"
TRACK = "Adult mood — evenings"
# What the test browser's device check may say: it has no camera, microphone or anyone to
# answer a permission prompt, and the client must be able to finish anyway.
DEVICE_EXPLAINED = re.compile(r"couldn't find a camera|did not allow|didn't work|can't test")


def _client_page_fits(page: Page) -> None:
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def _record_referral(page: Page, world: World) -> None:
    """The clinician, from the intake queue, records a referral with a PDF letter."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake queue").click()
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    assert a11y_problems(page) == []
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Newperson")
    page.get_by_label("Date of birth").fill("1994-04-04")
    page.get_by_label("Client's email").fill("robin@example.test")
    page.get_by_label("Client's phone (optional)").fill("(312) 555-0123")
    expect(page.get_by_label("Client's time zone")).to_have_value(world.program.time_zone)
    page.get_by_label("Referral source").select_option("inpatient_unit")
    page.get_by_label("Referring provider (optional)").fill("Dr. Rowan Example (fictional)")
    page.get_by_label("Reason for referral (optional)").fill("Step-down after an inpatient stay")
    letter = pdf_bytes("Discharge letter, Lakeview Inpatient Unit (fictional)")
    page.get_by_label("Documents (optional)").set_input_files(
        {"name": "inpatient-letter.pdf", "mimeType": "application/pdf", "buffer": letter}
    )
    page.get_by_role("button", name="Save referral").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Referral recorded")
    expect(page.get_by_role("link", name="inpatient-letter.pdf")).to_be_visible()


def _onboard_on_a_phone(phone: Page, link: str) -> None:
    """The client follows the emailed link, chooses a password and goes through the five
    onboarding steps; every page fits the phone and reads right to a screen reader."""
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Choose your password")
    _client_page_fits(phone)
    phone.get_by_label("Choose a password").fill(PASSWORD)
    phone.get_by_label("Type it again").fill(PASSWORD)
    phone.get_by_role("button", name="Set password and sign in").tap()

    expect(phone).to_have_url(re.compile(r"/welcome/start/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Welcome, Robin")
    expect(phone.get_by_text(re.compile(r"about 9 hours a week"))).to_be_visible()
    _client_page_fits(phone)
    phone.get_by_role("button", name="Continue").tap()

    for heading in ("Telehealth informed consent", "Consent to treatment"):
        h1 = phone.get_by_role("heading", level=1)
        expect(h1).to_have_text(heading)
        expect(h1).to_be_focused()
        _client_page_fits(phone)
        # Keyboard: type the name, Tab to the box, Space ticks it, Enter on the button.
        phone.get_by_label("Type your full name to sign").focus()
        phone.keyboard.type("Robin Newperson")
        phone.keyboard.press("Tab")
        phone.keyboard.press("Space")
        expect(phone.get_by_label("I have read this consent and I agree to it.")).to_be_checked()
        phone.get_by_role("button", name="Sign and continue").focus()
        phone.keyboard.press("Enter")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Emergency contact and home address")
    _client_page_fits(phone)
    phone.get_by_label("Their name").fill("Sam Newperson")
    phone.get_by_label("Who they are to you").fill("brother")
    phone.get_by_label("Their phone number").fill("(312) 555-0142")
    phone.get_by_role("group", name="Are they your support person?").get_by_text("Yes").tap()
    may_contact = phone.get_by_role("group", name=re.compile("May your care team contact them"))
    may_contact.get_by_text("Yes").tap()
    phone.get_by_label("Street address").fill("12 Elm Street")
    phone.get_by_label("Town or city").fill("Springfield")
    phone.get_by_label("State, province or county (if any)").fill("IL")
    phone.get_by_label("ZIP or postal code (if any)").fill("62701")
    phone.get_by_role("button", name="Save and continue").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your camera and microphone")
    _client_page_fits(phone)
    phone.get_by_role("button", name="Test my camera and microphone").tap()
    expect(phone.locator("#device-result")).to_have_text(DEVICE_EXPLAINED)
    _client_page_fits(phone)
    phone.get_by_role("button", name="Finish").tap()

    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("status")).to_contain_text("all set")
    _client_page_fits(phone)


def _move(page: Page, phase: str, reason: str) -> None:
    """Choose the phase, then type the reason and submit with the keyboard."""
    select = page.get_by_label("Move to phase")
    select.focus()
    select.select_option(phase)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Reason")).to_be_focused()
    page.keyboard.type(reason)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change phase")).to_be_focused()
    page.keyboard.press("Enter")


def _weekly_hours(page: Page) -> Decimal:
    text = page.locator("dt:text-is('Weekly requirement') + dd").inner_text()
    found = re.match(r"([\d.]+) hours", text)
    assert found, text
    return Decimal(found.group(1))


def test_referral_to_discharge(
    world: World, new_page: NewPage, live_url: str, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.OPENIOP_BASE_URL = live_url
    track_create(program=world.program, name=TRACK, schedule_label="evening", actor=world.dale)
    assert current_consent(ConsentKind.TELEHEALTH) and current_consent(ConsentKind.TREATMENT)

    # 1. The clinician records the referral, at a desk.
    desk = new_page("desktop")
    sign_in(desk, world.casey)
    _record_referral(desk, world)
    robin = Client.objects.select_related("user").get(last_name="Newperson")
    enrollment = robin.enrollments.get()
    assert enrollment.phase == Phase.REFERRED

    # 2. The invitation went out by email, with a one-time link.
    (message,) = mailoutbox
    assert message.to == ["robin@example.test"]
    link = re.search(r"https?://\S+/invite/\S+/", str(message.body))
    assert link

    # 3. The client onboards on a phone.
    _onboard_on_a_phone(new_page("phone"), link.group(0))

    # 4. The clinician sees the finished onboarding in the intake queue.
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Intake queue").click()
    table = desk.get_by_role("table", name=re.compile("Clients in referral or intake"))
    row = table.get_by_role("row").filter(has_text="Robin Newperson")
    expect(row.get_by_role("cell")).to_have_text(
        ["Referred", re.compile(r"minute"), "Done", "Done", "Done", "Done", "Done"]
    )
    assert a11y_problems(desk) == []
    row.get_by_role("link", name="Robin Newperson").click()

    # 5. Referred → intake, then the track; activation still waits for a primary clinician.
    _move(desk, "intake", "Intake assessment booked")
    expect(desk.get_by_role("status")).to_contain_text("Robin Newperson is now intake")
    desk.get_by_label("Track").select_option(label=TRACK)
    desk.get_by_role("button", name="Assign track").click()
    expect(desk.get_by_role("status")).to_contain_text(f"Track set to {TRACK}")
    expect(desk.get_by_text("Assign a primary clinician to the care team")).to_be_visible()

    # The referring clinician holds the intake seat; the director seats the primary clinician.
    director = new_page("desktop")
    sign_in(director, world.dale, next_url=f"/clients/{robin.pk}/")
    director.get_by_label("Staff member").select_option(label="Quinn Unassigned (clinician)")
    director.get_by_label("Seat").select_option(label="Primary clinician")
    director.get_by_role("button", name="Add to the care team").click()
    expect(director.get_by_role("status")).to_contain_text("joined the care team")

    # 6. Intake → active → step-down: the weekly requirement goes down.
    desk.reload()
    _move(desk, "active", "Intake complete, starting groups")
    expect(desk.get_by_role("status")).to_contain_text("is now active")
    active_hours = _weekly_hours(desk)
    _move(desk, "step_down", "Stable for three weeks")
    expect(desk.get_by_role("status")).to_contain_text("is now step-down")
    step_down_hours = _weekly_hours(desk)
    assert step_down_hours < active_hours
    expect(desk.get_by_text(f"lowered for step-down from {active_hours}")).to_be_visible()
    assert a11y_problems(desk) == []

    # 7. Discharge: draft, confirm, sign, then the PDF for the next provider.
    desk.get_by_role("link", name="Discharge", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Discharge summary")
    desk.get_by_label("Reason for discharge").select_option("completed")
    desk.get_by_label("Recommendations").fill("Weekly individual therapy.")
    desk.get_by_label("Aftercare appointments").fill("Dr. Rivera, Lakeview Clinic (fictional)")
    desk.get_by_role("button", name="Save draft").click()
    expect(desk.get_by_role("status")).to_contain_text("Draft saved")
    desk.get_by_role("button", name="Sign and discharge…").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Sign and discharge")
    desk.get_by_label(re.compile("I have reviewed this summary")).focus()
    desk.keyboard.press("Space")
    desk.keyboard.press("Tab")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status")).to_contain_text("The client is discharged")
    assert a11y_problems(desk) == []
    desk.get_by_label("Sent to (optional)").fill("Lakeview Clinic")
    with desk.expect_download() as download_info:
        desk.get_by_role("button", name="Download PDF for the next provider").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Robin Newperson" in text

    # 8. The record and its audit trail.
    transitions = EnrollmentTransition.objects.filter(enrollment=enrollment).order_by("at", "pk")
    assert [(t.to_phase, t.actor) for t in transitions] == [
        (Phase.REFERRED, world.casey),
        (Phase.INTAKE, world.casey),
        (Phase.ACTIVE, world.casey),
        (Phase.STEP_DOWN, world.casey),
        (Phase.DISCHARGED, world.casey),
    ]
    trail = AuditEvent.objects.filter(client_id=robin.pk).exclude(action=Action.READ)
    written = [
        (e.action, e.object_type, e.actor, e.reason)
        for e in trail
        if e.object_type
        in ("client_document", "consent_signature", "enrollment", "discharge_summary")
    ]
    assert written == [
        (Action.CREATE, "enrollment", world.casey, ""),  # referred, by the referral
        (Action.CREATE, "client_document", world.casey, ""),  # the letter
        (Action.CREATE, "consent_signature", robin.user, "telehealth v1"),
        (Action.CREATE, "consent_signature", robin.user, "treatment v1"),
        (Action.UPDATE, "enrollment", world.casey, ""),  # → intake
        (Action.UPDATE, "enrollment", world.casey, ""),  # track assigned
        (Action.UPDATE, "enrollment", world.casey, ""),  # → active
        (Action.UPDATE, "enrollment", world.casey, ""),  # → step-down
        (Action.CREATE, "discharge_summary", world.casey, ""),  # Save draft
        (Action.UPDATE, "discharge_summary", world.casey, ""),  # saved again on Sign…
        (Action.UPDATE, "enrollment", world.casey, ""),  # → discharged, on signing
        (Action.UPDATE, "discharge_summary", world.casey, "signed"),
        (Action.EXPORT, "discharge_summary", world.casey, "Lakeview Clinic"),
    ]
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "audit chain intact" in out.getvalue()
    assert len(mailoutbox) == 1  # no second invitation along the way
