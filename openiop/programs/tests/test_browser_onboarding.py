"""Onboarding in a real browser (issue #3): a new client on a 360 px phone, by touch and by
keyboard; the device check with a (fake) camera; resuming; staff reading the intake queue."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from openiop.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    VIEWPORTS,
    a11y_problems,
    horizontal_overflow,
    sign_in,
)
from openiop.conftest import World
from openiop.programs import consent_texts
from openiop.programs.models import (
    Client,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    EmergencyContact,
    Track,
)
from openiop.programs.onboarding import current_consent, onboarding_progress
from openiop.programs.services import (
    ContactDetails,
    HomeAddress,
    consent_sign,
    enrollment_open,
    onboarding_contacts_save,
    onboarding_welcome_seen,
)

pytestmark = pytest.mark.browser

# Elements a thumb must hit: buttons, the step links, radio and checkbox labels.
TOUCH_TARGETS = "main button, .step-actions a, fieldset.choices label, .field.check label"


@pytest.fixture
def consents(world: World) -> None:
    """The first consent versions. Migration 0003 publishes them, but a live-server test ends
    by flushing every table, so the tests after the first one would find none."""
    texts = [
        (ConsentKind.TELEHEALTH, consent_texts.TELEHEALTH_V1_TITLE, consent_texts.TELEHEALTH_V1),
        (ConsentKind.TREATMENT, consent_texts.TREATMENT_V1_TITLE, consent_texts.TREATMENT_V1),
    ]
    for kind, title, body in texts:
        ConsentDocument.objects.get_or_create(
            kind=kind, version=1, defaults={"title": title, "body": body}
        )


@pytest.fixture
def alex(world: World, consents: None) -> Client:
    track = Track.objects.create(
        program=world.program, name="Adult mood — evenings", schedule_label="evening"
    )
    enrollment_open(client=world.alex, program=world.program, actor=world.casey, track=track)
    return world.alex


def _heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def _check_step(page: Page, number: int, heading: str) -> None:
    """Every step: its number in words, focus on its heading, fits the phone, labelled."""
    expect(page.get_by_text(f"Step {number} of 5")).to_be_visible()
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_text(heading)
    expect(h1).to_be_focused()
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []
    _check_touch_targets(page)


def _check_touch_targets(page: Page) -> None:
    small = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.innerText.trim(), el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)""",
        TOUCH_TARGETS,
    )
    assert small == []


def test_new_client_completes_onboarding_on_a_phone(
    alex: Client, world: World, phone_page: Page
) -> None:
    page = phone_page
    sign_in(page, alex.user)

    # 1. Welcome: the track's schedule, the weekly hours, how to reach the team. By touch.
    expect(page).to_have_url(re.compile(r"/welcome/start/$"))
    _check_step(page, 1, "Welcome, Alex")
    expect(page.get_by_text("Adult mood — evenings")).to_be_visible()
    expect(page.get_by_text(re.compile(r"about 9 hours a week"))).to_be_visible()
    expect(page.get_by_role("link", name=world.program.on_call_phone)).to_be_visible()
    page.get_by_role("button", name="Continue").tap()

    # 2. Telehealth consent, signed by keyboard only, after one refusal.
    expect(page).to_have_url(re.compile(r"/welcome/telehealth-consent/$"))
    _check_step(page, 2, "Telehealth informed consent")
    expect(page.get_by_role("heading", name="If the connection drops")).to_be_visible()
    page.get_by_role("button", name="Sign and continue").tap()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Type your full name to sign.")
    expect(alert).to_contain_text("Tick the box to say you agree.")
    expect(alert).to_be_focused()
    name = page.get_by_label("Type your full name to sign")
    expect(name).to_have_attribute("aria-invalid", "true")
    assert a11y_problems(page) == []
    name.focus()
    page.keyboard.type("alex testperson")
    page.keyboard.press("Tab")
    expect(page.get_by_label("I have read this consent and I agree to it.")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Back")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign and continue")).to_be_focused()
    page.keyboard.press("Enter")

    # 3. Treatment consent, by touch: the label is the tap target for the box.
    expect(page).to_have_url(re.compile(r"/welcome/treatment-consent/$"))
    _check_step(page, 3, "Consent to treatment")
    page.get_by_label("Type your full name to sign").tap()
    page.keyboard.type("Alex Testperson")
    page.locator("label[for=id_agreed]").tap()
    expect(page.get_by_label("I have read this consent and I agree to it.")).to_be_checked()
    page.get_by_role("button", name="Sign and continue").tap()

    # 4. Emergency contact and home address; a phone that does not parse is refused first.
    expect(page).to_have_url(re.compile(r"/welcome/contacts/$"))
    _check_step(page, 4, "Emergency contact and home address")
    page.get_by_label("Their name").fill("Sam Testperson")
    page.get_by_label("Who they are to you").fill("sister")
    page.get_by_label("Their phone number").fill("555")
    page.get_by_role("group", name="Are they your support person?").get_by_text("Yes").tap()
    consent = page.get_by_role("group", name=re.compile("May your care team contact them"))
    consent.get_by_text("Yes").tap()
    page.get_by_label("Street address").fill("12 Elm Street")
    page.get_by_label("Town or city").fill("Springfield")
    page.get_by_label("State, province or county (if any)").fill("IL")
    page.get_by_label("ZIP or postal code (if any)").fill("62701")
    expect(page.get_by_label("Country")).to_have_value("US")  # from the client's time zone
    page.get_by_role("button", name="Save and continue").tap()
    expect(page.get_by_role("alert")).to_contain_text("not a valid phone number")
    expect(page.get_by_label("Their name")).to_have_value("Sam Testperson")
    assert a11y_problems(page) == []
    assert not EmergencyContact.objects.filter(client=alex).exists()
    page.get_by_label("Their phone number").fill("(312) 555-0142")
    page.get_by_role("button", name="Save and continue").tap()

    # 5. Device check, then home.
    expect(page).to_have_url(re.compile(r"/welcome/device-check/$"))
    _check_step(page, 5, "Check your camera and microphone")
    expect(page.get_by_role("button", name="Test my camera and microphone")).to_be_visible()
    expect(page.locator("#device-no-script")).to_be_hidden()
    page.get_by_role("button", name="Finish").tap()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("status")).to_contain_text("all set")
    assert onboarding_progress(Client.objects.get(pk=alex.pk)).is_complete
    contact = EmergencyContact.objects.get(client=alex)
    assert (contact.phone, contact.is_support_person, contact.consent_to_contact) == (
        "+13125550142",
        True,
        True,
    )

    # The signed consents can be re-read from the home page, with version and date.
    page.get_by_role("link", name="Consents you have signed").tap()
    _h1 = page.get_by_role("heading", level=1)
    expect(_h1).to_have_text("My documents")
    expect(page.get_by_text(re.compile(r"Version 1, signed \d+ \w+ \d{4}"))).to_have_count(2)
    page.get_by_role("link", name="Telehealth informed consent").tap()
    expect(page.get_by_text(re.compile(r"as “alex testperson”"))).to_be_visible()
    expect(page.get_by_role("heading", name="Emergencies")).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert a11y_problems(page) == []


def test_coming_back_later_resumes_at_the_first_unfinished_step(
    alex: Client, phone_page: Page
) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    telehealth = current_consent(ConsentKind.TELEHEALTH)
    assert telehealth is not None
    consent_sign(
        client=alex, document=telehealth, typed_name="Alex Testperson", agreed=True, actor=alex.user
    )
    sign_in(phone_page, alex.user)
    expect(phone_page).to_have_url(re.compile(r"/welcome/treatment-consent/$"))
    _check_step(phone_page, 3, "Consent to treatment")
    # Back shows the signed consent, and Continue returns here.
    phone_page.get_by_role("link", name="Back").tap()
    expect(phone_page.get_by_text(re.compile("You signed this on"))).to_be_visible()
    phone_page.get_by_role("link", name="Continue").tap()
    expect(phone_page).to_have_url(re.compile(r"/welcome/treatment-consent/$"))
    assert ConsentSignature.objects.filter(client=alex).count() == 1


@pytest.fixture
def camera_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake camera and microphone that grants permission without asking."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def camera_phone(camera_browser: Browser, live_url: str) -> Iterator[Page]:
    context: BrowserContext = camera_browser.new_context(base_url=live_url, **VIEWPORTS["phone"])
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _up_to_device_check(client: Client) -> None:
    onboarding_welcome_seen(client=client, actor=client.user)
    for kind in (ConsentKind.TELEHEALTH, ConsentKind.TREATMENT):
        document = current_consent(kind)
        assert document is not None
        consent_sign(
            client=client,
            document=document,
            typed_name="Alex Testperson",
            agreed=True,
            actor=client.user,
        )
    onboarding_contacts_save(
        client=client,
        address=HomeAddress("12 Elm Street", "Springfield", "IL", "62701", "US"),
        contact=ContactDetails("Sam Testperson", "sister", "+1 312 555 0142", True, True),
        actor=client.user,
    )


def test_device_check_shows_the_camera_and_stops_it(alex: Client, camera_phone: Page) -> None:
    _up_to_device_check(alex)
    page = camera_phone
    sign_in(page, alex.user)
    expect(page).to_have_url(re.compile(r"/welcome/device-check/$"))
    page.get_by_role("button", name="Test my camera and microphone").tap()
    result = page.locator("#device-result")
    expect(result).to_have_text("Your camera and microphone are working.")
    expect(page.get_by_label("Your camera, as others will see you")).to_be_visible()
    assert horizontal_overflow(page) == 0
    page.get_by_role("button", name="Stop the test").tap()
    expect(result).to_have_text("Test stopped.")
    expect(page.locator("#device-preview")).to_be_hidden()


def test_device_check_without_a_camera_explains_and_lets_the_client_finish(
    alex: Client, phone_page: Page
) -> None:
    _up_to_device_check(alex)
    page = phone_page
    sign_in(page, alex.user)
    expect(page).to_have_url(re.compile(r"/welcome/device-check/$"))
    # The test browser has no camera or microphone and no one to answer a permission prompt.
    page.get_by_role("button", name="Test my camera and microphone").tap()
    expect(page.locator("#device-result")).to_have_text(
        re.compile(r"couldn't find a camera|did not allow|didn't work|can't test")
    )
    page.get_by_role("button", name="Finish").tap()
    expect(page).to_have_url(re.compile(r"/me/$"))


def test_director_reads_the_intake_queue_from_the_nav(
    alex: Client, world: World, desktop_page: Page
) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    page = desktop_page
    sign_in(page, world.dale)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake queue").click()
    expect(page).to_have_url(re.compile(r"/intake/$"))
    assert _heading(page) == "Intake queue"
    table = page.get_by_role("table", name=re.compile("Clients in referral or intake"))
    row = table.get_by_role("row").filter(has_text="Alex Testperson")
    expect(row.get_by_role("cell")).to_have_text(
        ["Referred", re.compile(r"minute"), "Done", "Not yet", "Not yet", "Not yet", "Not yet"]
    )
    assert a11y_problems(page) == []
