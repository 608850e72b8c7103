"""Client onboarding (issue #3): each step's service and page, refusals, resuming, re-signing."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import (
    Client,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    EmergencyContact,
    Enrollment,
    Track,
)
from openiop.programs.onboarding import (
    Step,
    current_consent,
    onboarding_progress,
    onboarding_required,
    telehealth_consent_signed,
)
from openiop.programs.services import (
    ContactDetails,
    HomeAddress,
    consent_sign,
    emergency_contact_remove,
    enrollment_open,
    onboarding_contacts_save,
    onboarding_device_check_done,
    onboarding_welcome_seen,
)
from openiop.programs.services.onboarding import NEWER_VERSION

LoginAs = Callable[[User], HttpClient]

HOME = HomeAddress(
    line="12 Elm Street", city="Springfield", region="IL", postal_code="62701", country="US"
)
SISTER = ContactDetails(
    name="Sam Testperson",
    relationship="sister",
    phone="(312) 555-0142",
    is_support_person=True,
    consent_to_contact=True,
)


@pytest.fixture
def track(world: World) -> Track:
    return Track.objects.create(
        program=world.program, name="Adult mood — evenings", schedule_label="evening"
    )


@pytest.fixture
def alex(world: World, track: Track) -> Client:
    """Alex, just referred: an open enrollment in an evening track, nothing done yet."""
    enrollment_open(client=world.alex, program=world.program, actor=world.casey, track=track)
    return world.alex


def _events(client: Client, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(client_id=client.pk, object_type=object_type))


def _sign(client: Client, kind: str, name: str = "Alex Testperson") -> ConsentSignature:
    document = current_consent(kind)
    assert document is not None
    return consent_sign(
        client=client, document=document, typed_name=name, agreed=True, actor=client.user
    )


def _finish(client: Client) -> None:
    onboarding_welcome_seen(client=client, actor=client.user)
    _sign(client, ConsentKind.TELEHEALTH)
    _sign(client, ConsentKind.TREATMENT)
    onboarding_contacts_save(client=client, address=HOME, contact=SISTER, actor=client.user)
    onboarding_device_check_done(client=client, actor=client.user)


def _publish(kind: str, **extra: object) -> ConsentDocument:
    latest = ConsentDocument.objects.filter(kind=kind).order_by("-version").first()
    assert latest is not None
    return ConsentDocument.objects.create(
        kind=kind,
        version=latest.version + 1,
        title=latest.title,
        body=latest.body + "\n\nWhat changed\nA new paragraph.",
        **extra,
    )


# --- services: each step ------------------------------------------------------------------


def test_welcome_seen_is_stamped_once_and_audited(alex: Client) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    first = Client.objects.get(pk=alex.pk).onboarding_welcome_at
    assert first is not None
    onboarding_welcome_seen(client=alex, actor=alex.user)
    assert Client.objects.get(pk=alex.pk).onboarding_welcome_at == first
    events = _events(alex, "client")
    assert [e.reason for e in events if "welcome" in e.reason] == ["onboarding: welcome seen"]
    assert events[-1].actor_id == alex.user.pk


def test_consent_signed_with_loosely_matching_name_is_stored_and_audited(alex: Client) -> None:
    signature = _sign(alex, ConsentKind.TELEHEALTH, name="  alex   TESTPERSON ")
    assert signature.typed_name == "alex TESTPERSON"
    assert signature.document == current_consent(ConsentKind.TELEHEALTH)
    [event] = _events(alex, "consent_signature")
    assert (event.action, event.object_id, event.reason) == (
        "create",
        str(signature.pk),
        "telehealth v1",
    )
    assert telehealth_consent_signed(alex)


def test_preferred_name_may_be_used_to_sign(alex: Client) -> None:
    Client.objects.filter(pk=alex.pk).update(preferred_name="Lex")
    alex.refresh_from_db()
    _sign(alex, ConsentKind.TREATMENT, name="lex testperson")
    assert ConsentSignature.objects.filter(client=alex).count() == 1


def test_signing_the_same_version_twice_keeps_the_first_signature(alex: Client) -> None:
    first = _sign(alex, ConsentKind.TELEHEALTH)
    again = _sign(alex, ConsentKind.TELEHEALTH)
    assert again.pk == first.pk
    assert len(_events(alex, "consent_signature")) == 1


@pytest.mark.parametrize(
    ("typed_name", "agreed", "field"),
    [
        ("", True, "typed_name"),
        ("   ", True, "typed_name"),
        ("Blair Otherperson", True, "typed_name"),
        ("Alex", True, "typed_name"),
        ("Alex Testperson", False, "agreed"),
    ],
    ids=["empty-name", "blank-name", "someone-else", "first-name-only", "box-unticked"],
)
def test_bad_signature_is_refused_and_nothing_is_written(
    alex: Client, typed_name: str, agreed: bool, field: str
) -> None:
    events_before = AuditEvent.objects.count()
    document = current_consent(ConsentKind.TELEHEALTH)
    assert document is not None
    with pytest.raises(ValidationError) as refused:
        consent_sign(
            client=alex, document=document, typed_name=typed_name, agreed=agreed, actor=alex.user
        )
    assert field in refused.value.message_dict
    assert not ConsentSignature.objects.filter(client=alex).exists()
    assert AuditEvent.objects.count() == events_before
    assert not telehealth_consent_signed(alex)


def test_name_mismatch_message_says_which_name_to_type(alex: Client) -> None:
    document = current_consent(ConsentKind.TREATMENT)
    assert document is not None
    with pytest.raises(ValidationError) as refused:
        consent_sign(client=alex, document=document, typed_name="A T", agreed=True, actor=alex.user)
    assert "Alex Testperson" in refused.value.message_dict["typed_name"][0]


def test_only_the_client_can_sign_their_consent(alex: Client, world: World) -> None:
    document = current_consent(ConsentKind.TELEHEALTH)
    assert document is not None
    with pytest.raises(ValidationError):
        consent_sign(
            client=alex,
            document=document,
            typed_name="Alex Testperson",
            agreed=True,
            actor=world.casey,
        )
    assert not ConsentSignature.objects.exists()


def test_an_outdated_version_cannot_be_signed(alex: Client) -> None:
    old = current_consent(ConsentKind.TELEHEALTH)
    assert old is not None
    _publish(ConsentKind.TELEHEALTH)
    with pytest.raises(ValidationError) as refused:
        consent_sign(
            client=alex, document=old, typed_name="Alex Testperson", agreed=True, actor=alex.user
        )
    assert refused.value.messages == [NEWER_VERSION]
    assert not ConsentSignature.objects.exists()


def test_contacts_and_address_are_saved_with_the_phone_in_e164(alex: Client) -> None:
    added = onboarding_contacts_save(client=alex, address=HOME, contact=SISTER, actor=alex.user)
    alex.refresh_from_db()
    assert (alex.address_line, alex.city, alex.region, alex.postal_code, alex.country) == (
        "12 Elm Street",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert alex.onboarding_contacts_at is not None
    contact = EmergencyContact.objects.get(client=alex)
    assert contact == added
    assert (contact.phone, contact.is_support_person, contact.consent_to_contact) == (
        "+13125550142",
        True,
        True,
    )
    assert [e.action for e in _events(alex, "emergency_contact")] == ["create"]
    assert "onboarding: home address" in [e.reason for e in _events(alex, "client")]


def test_a_contact_abroad_is_read_in_the_address_country(alex: Client) -> None:
    london = HomeAddress(
        line="1 High Street", city="London", region="", postal_code="sw1a 1aa", country="gb"
    )
    friend = ContactDetails(
        name="Robin Friend",
        relationship="friend",
        phone="020 7946 0958",
        is_support_person=False,
        consent_to_contact=False,
    )
    onboarding_contacts_save(client=alex, address=london, contact=friend, actor=alex.user)
    alex.refresh_from_db()
    assert (alex.country, alex.postal_code) == ("GB", "SW1A 1AA")
    assert EmergencyContact.objects.get(client=alex).phone == "+442079460958"


@pytest.mark.parametrize(
    ("address", "contact", "field"),
    [
        (HOME, ContactDetails("Sam", "sister", "12", True, True), "contact_phone"),
        (HOME, ContactDetails("Sam", "sister", "call me maybe", True, True), "contact_phone"),
        (HOME, ContactDetails("", "sister", "(312) 555-0142", True, True), "contact_name"),
        (HOME, ContactDetails("Sam", "", "(312) 555-0142", True, True), "contact_relationship"),
        (
            HOME,
            ContactDetails("Sam", "sister", "(312) 555-0142", None, True),
            "contact_is_support_person",
        ),
        (
            HOME,
            ContactDetails("Sam", "sister", "(312) 555-0142", True, None),
            "contact_consent_to_contact",
        ),
        (HomeAddress("12 Elm Street", "Springfield", "", "", "XX"), SISTER, "country"),
        (HomeAddress("12 Elm Street", "Springfield", "", "", ""), SISTER, "country"),
        (HomeAddress("12 Elm Street", "Springfield", "", "", "USA"), SISTER, "country"),
        (HomeAddress("", "Springfield", "", "", "US"), SISTER, "line"),
        (HomeAddress("12 Elm Street", " ", "", "", "US"), SISTER, "city"),
        (HOME, None, "contact_name"),  # the first save needs someone to call
    ],
    ids=[
        "short-phone",
        "words-for-phone",
        "no-contact-name",
        "no-relationship",
        "support-person-unanswered",
        "consent-unanswered",
        "unknown-country",
        "no-country",
        "three-letter-country",
        "no-street",
        "no-city",
        "no-contact-at-all",
    ],
)
def test_bad_contact_or_address_is_refused_and_nothing_is_written(
    alex: Client, address: HomeAddress, contact: ContactDetails | None, field: str
) -> None:
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        onboarding_contacts_save(client=alex, address=address, contact=contact, actor=alex.user)
    assert field in refused.value.message_dict
    alex.refresh_from_db()
    assert (alex.address_line, alex.country, alex.onboarding_contacts_at) == ("", "", None)
    assert not EmergencyContact.objects.filter(client=alex).exists()
    assert AuditEvent.objects.count() == events_before


def test_more_contacts_may_be_added_and_the_last_one_is_kept(alex: Client) -> None:
    first = onboarding_contacts_save(client=alex, address=HOME, contact=SISTER, actor=alex.user)
    assert first is not None
    with pytest.raises(ValidationError):
        emergency_contact_remove(contact=first, actor=alex.user)
    # A later save may change only the address.
    onboarding_contacts_save(client=alex, address=HOME, contact=None, actor=alex.user)
    second = onboarding_contacts_save(
        client=alex,
        address=HOME,
        contact=ContactDetails("Jo Neighbour", "neighbour", "+1 415 555 2671", False, True),
        actor=alex.user,
    )
    assert second is not None
    emergency_contact_remove(contact=first, actor=alex.user)
    assert list(EmergencyContact.objects.filter(client=alex)) == [second]
    assert [e.action for e in _events(alex, "emergency_contact")] == [
        "create",
        "create",
        "delete",
    ]


def test_device_check_is_the_last_step_and_completes_onboarding(alex: Client) -> None:
    assert alex.onboarding_completed_at is None
    _finish(alex)
    alex.refresh_from_db()
    assert alex.onboarding_device_check_at is not None
    assert alex.onboarding_completed_at is not None
    assert onboarding_progress(alex).is_complete
    assert "onboarding: completed" in [e.reason for e in _events(alex, "client")]


# --- selectors: progress, resume, current versions ----------------------------------------


def test_progress_lists_the_steps_in_order_and_the_first_unfinished_one(alex: Client) -> None:
    progress = onboarding_progress(alex)
    assert progress.next_step == Step.WELCOME and progress.done_count == 0
    onboarding_welcome_seen(client=alex, actor=alex.user)
    _sign(alex, ConsentKind.TREATMENT)  # out of order: the telehealth consent is still next
    progress = onboarding_progress(alex)
    assert progress.done == {
        Step.WELCOME: True,
        Step.TELEHEALTH: False,
        Step.TREATMENT: True,
        Step.CONTACTS: False,
        Step.DEVICE: False,
    }
    assert progress.next_step == Step.TELEHEALTH
    assert progress.may_visit(Step.TREATMENT) and not progress.may_visit(Step.DEVICE)


def test_telehealth_consent_signed_needs_the_telehealth_consent(alex: Client) -> None:
    assert not telehealth_consent_signed(alex)
    _sign(alex, ConsentKind.TREATMENT)
    assert not telehealth_consent_signed(alex)
    _sign(alex, ConsentKind.TELEHEALTH)
    assert telehealth_consent_signed(alex)


def test_a_new_consent_version_must_be_signed_again(
    alex: Client, login_as: LoginAs, world: World
) -> None:
    _finish(alex)
    assert telehealth_consent_signed(alex)
    assert not onboarding_required(alex)

    v2 = _publish(ConsentKind.TELEHEALTH)
    assert not telehealth_consent_signed(alex)
    progress = onboarding_progress(alex)
    assert progress.next_step == Step.TELEHEALTH and progress.done_count == 4
    assert onboarding_required(alex)

    # Signing in again lands on the new version, with a word about why.
    http = login_as(alex.user)
    response = http.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/welcome/telehealth-consent/"
    assert "This consent has changed since you last signed it" in response.text
    assert "Version 2" in response.text
    http.post(
        "/welcome/telehealth-consent/",
        {"document": v2.pk, "typed_name": "Alex Testperson", "agreed": "on"},
    )
    assert telehealth_consent_signed(alex)
    assert ConsentSignature.objects.filter(client=alex, document__kind="telehealth").count() == 2
    assert http.get("/")["Location"] == "/me/"


def test_a_staged_version_is_not_current_until_its_publication_time(alex: Client) -> None:
    _sign(alex, ConsentKind.TELEHEALTH)
    staged = _publish(ConsentKind.TELEHEALTH, published_at=timezone.now() + timedelta(days=7))
    assert current_consent(ConsentKind.TELEHEALTH) != staged
    assert telehealth_consent_signed(alex)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert current_consent(ConsentKind.TELEHEALTH) == staged
        assert not telehealth_consent_signed(alex)


def test_onboarding_is_not_asked_of_a_client_without_an_open_enrollment(
    world: World, login_as: LoginAs
) -> None:
    assert not Enrollment.objects.filter(client=world.alex).exists()
    assert not onboarding_required(world.alex)
    assert login_as(world.alex.user).get("/")["Location"] == "/me/"


# --- pages ----------------------------------------------------------------------------------


def test_first_sign_in_goes_to_the_welcome_step(alex: Client, login_as: LoginAs) -> None:
    http = login_as(alex.user)
    assert http.get("/")["Location"] == "/welcome/"
    assert http.get("/welcome/")["Location"] == "/welcome/start/"


def test_welcome_page_shows_schedule_hours_and_how_to_reach_the_team(
    alex: Client, login_as: LoginAs, world: World
) -> None:
    response = login_as(alex.user).get("/welcome/start/")
    assert response.status_code == 200
    text = response.text
    assert "Step 1 of 5" in text
    assert "Welcome, Alex" in text
    assert "Adult mood — evenings" in text and "in the evenings" in text
    assert "9 hours a week" in text
    assert f'href="tel:{world.program.on_call_phone}"' in text
    assert "Back</a>" not in text  # nothing before the first step


def test_welcome_without_a_track_says_the_team_will_confirm(
    world: World, login_as: LoginAs
) -> None:
    enrollment_open(client=world.alex, program=world.program, actor=None)
    text = login_as(world.alex.user).get("/welcome/start/").text
    assert "Your care team will confirm your schedule" in text


def test_each_step_page_walks_to_the_next_and_ends_at_home(alex: Client, login_as: LoginAs) -> None:
    http = login_as(alex.user)
    assert http.post("/welcome/start/")["Location"] == "/welcome/telehealth-consent/"
    for path, kind, following in [
        ("/welcome/telehealth-consent/", "telehealth", "/welcome/treatment-consent/"),
        ("/welcome/treatment-consent/", "treatment", "/welcome/contacts/"),
    ]:
        page = http.get(path)
        assert page.status_code == 200
        document = current_consent(kind)
        assert document is not None
        assert document.title in page.text and "Back</a>" in page.text
        response = http.post(
            path, {"document": document.pk, "typed_name": "alex testperson", "agreed": "on"}
        )
        assert response["Location"] == following
    response = http.post(
        "/welcome/contacts/",
        {
            "contact_name": "Sam Testperson",
            "contact_relationship": "sister",
            "contact_phone": "312 555 0142",
            "contact_is_support_person": "yes",
            "contact_consent_to_contact": "no",
            "line": "12 Elm Street",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62701",
            "country": "US",
        },
    )
    assert response["Location"] == "/welcome/device-check/"
    contact = EmergencyContact.objects.get(client=alex)
    assert (contact.is_support_person, contact.consent_to_contact) == (True, False)
    page = http.get("/welcome/device-check/")
    assert "Step 5 of 5" in page.text and "js/device_check.js" in page.text
    response = http.post("/welcome/device-check/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    assert "all set. Your care team will be in touch" in response.text
    assert http.get("/")["Location"] == "/me/"


def test_leaving_and_coming_back_resumes_at_the_first_unfinished_step(
    alex: Client, login_as: LoginAs
) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    _sign(alex, ConsentKind.TELEHEALTH)
    http = login_as(alex.user)
    assert http.get("/welcome/")["Location"] == "/welcome/treatment-consent/"
    # A later step's address leads back to the unfinished one: consents cannot be skipped.
    assert http.get("/welcome/device-check/")["Location"] == "/welcome/treatment-consent/"
    assert http.get("/welcome/contacts/")["Location"] == "/welcome/treatment-consent/"
    # A step already done can be re-read, with its signature and a way on.
    page = http.get("/welcome/telehealth-consent/")
    assert page.status_code == 200
    assert "You signed this on" in page.text and "Sign and continue" not in page.text


def test_refused_signature_on_the_page_is_announced_and_writes_nothing(
    alex: Client, login_as: LoginAs
) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    http = login_as(alex.user)
    document = current_consent(ConsentKind.TELEHEALTH)
    assert document is not None
    response = http.post(
        "/welcome/telehealth-consent/", {"document": document.pk, "typed_name": "Someone Else"}
    )
    assert response.status_code == 400
    text = response.text
    assert 'role="alert"' in text
    assert "Type your name as we have it" in text
    assert "Tick the box to say you agree" in text
    assert 'aria-invalid="true"' in text
    assert not ConsentSignature.objects.exists()


def test_refused_contact_on_the_page_keeps_what_was_typed(alex: Client, login_as: LoginAs) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    _sign(alex, ConsentKind.TELEHEALTH)
    _sign(alex, ConsentKind.TREATMENT)
    response = login_as(alex.user).post(
        "/welcome/contacts/",
        {
            "contact_name": "Sam Testperson",
            "contact_relationship": "sister",
            "contact_phone": "555",
            "contact_is_support_person": "yes",
            "contact_consent_to_contact": "yes",
            "line": "12 Elm Street",
            "city": "Springfield",
            "country": "ZZ",
        },
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Choose your country from the list" in response.text
    assert 'value="Sam Testperson"' in response.text
    assert not EmergencyContact.objects.exists()
    alex.refresh_from_db()
    assert alex.address_line == ""


def test_contact_page_defaults_the_country_from_the_time_zone(
    alex: Client, login_as: LoginAs
) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    _sign(alex, ConsentKind.TELEHEALTH)
    _sign(alex, ConsentKind.TREATMENT)
    text = login_as(alex.user).get("/welcome/contacts/").text
    assert re.search(r'<option value="US" selected>United States</option>', text)


def test_a_bad_phone_on_the_page_is_refused(alex: Client, login_as: LoginAs) -> None:
    onboarding_welcome_seen(client=alex, actor=alex.user)
    _sign(alex, ConsentKind.TELEHEALTH)
    _sign(alex, ConsentKind.TREATMENT)
    response = login_as(alex.user).post(
        "/welcome/contacts/",
        {
            "contact_name": "Sam Testperson",
            "contact_relationship": "sister",
            "contact_phone": "123",
            "contact_is_support_person": "no",
            "contact_consent_to_contact": "yes",
            "line": "12 Elm Street",
            "city": "Springfield",
            "country": "US",
        },
    )
    assert response.status_code == 400
    assert 'id="id_contact_phone_error"' in response.text
    assert not EmergencyContact.objects.exists()


def test_my_documents_lists_each_signed_consent_with_version_and_date(
    alex: Client, login_as: LoginAs, world: World
) -> None:
    ConsentDocument.objects.update(published_at=timezone.now() - timedelta(days=3650))
    with time_machine.travel("2026-03-04 15:00Z"):
        telehealth = _sign(alex, ConsentKind.TELEHEALTH)
    http = login_as(alex.user)
    assert 'href="/me/consents/"' in http.get("/me/").text
    listing = http.get("/me/consents/")
    assert "Telehealth informed consent" in listing.text
    assert "Version 1, signed 4 March 2026" in listing.text
    page = http.get(f"/me/consents/{telehealth.pk}/")
    assert page.status_code == 200
    assert "Where you are" in page.text  # a heading of the consent's text
    assert "Alex Testperson" in page.text
    assert AuditEvent.objects.filter(
        action="read", object_type="consent_signature", object_id=str(telehealth.pk)
    ).exists()
    # Blair cannot read Alex's signature, nor can staff through the client's pages.
    assert login_as(world.blair.user).get(f"/me/consents/{telehealth.pk}/").status_code == 404


def test_an_older_signed_version_stays_readable_and_is_marked(
    alex: Client, login_as: LoginAs
) -> None:
    v1 = _sign(alex, ConsentKind.TELEHEALTH)
    _publish(ConsentKind.TELEHEALTH)
    http = login_as(alex.user)
    assert "A newer version has been published since" in http.get("/me/consents/").text
    assert http.get(f"/me/consents/{v1.pk}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/welcome/",
        "/welcome/start/",
        "/welcome/telehealth-consent/",
        "/welcome/treatment-consent/",
        "/welcome/contacts/",
        "/welcome/device-check/",
        "/me/consents/",
    ],
)
def test_onboarding_pages_are_for_clients_only(
    alex: Client, world: World, login_as: LoginAs, path: str
) -> None:
    for person in [*world.staff(), world.fay]:
        assert login_as(person).get(path).status_code == 404, person


def test_a_client_cannot_remove_another_clients_contact(
    alex: Client, world: World, login_as: LoginAs
) -> None:
    contact = onboarding_contacts_save(client=alex, address=HOME, contact=SISTER, actor=alex.user)
    assert contact is not None
    response = login_as(world.blair.user).post(f"/welcome/contacts/{contact.pk}/remove/")
    assert response.status_code == 404
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()


def test_step_pages_have_no_inline_script_or_style(alex: Client, login_as: LoginAs) -> None:
    _finish(alex)
    http = login_as(alex.user)
    for path in [
        "/welcome/start/",
        "/welcome/telehealth-consent/",
        "/welcome/treatment-consent/",
        "/welcome/contacts/",
        "/welcome/device-check/",
        "/me/consents/",
    ]:
        text = http.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert " style=" not in text and "<style" not in text, path
        assert text.count("<h1") == 1, path
