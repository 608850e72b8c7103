"""Client onboarding on first sign-in: each step is one transaction with its audit event.

Every function checks all of its input before writing anything, so a refusal (a
ValidationError whose keys are the onboarding form's field names) leaves no row behind.
The client's own account is the actor: a consent is signed by the person it binds.
"""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.countries import is_country_code
from openiop.lib.phones import normalize_phone, region_for_zone
from openiop.programs.models import Client, ConsentDocument, ConsentSignature, EmergencyContact
from openiop.programs.onboarding import current_consent, onboarding_progress

NEWER_VERSION = (
    "A newer version of this consent has been published since you opened the page. "
    "Please read it again before signing."
)


@dataclass(frozen=True)
class ContactDetails:
    """Someone the care team may call in an emergency, as the client describes them."""

    name: str
    relationship: str
    phone: str
    is_support_person: bool | None
    consent_to_contact: bool | None


@dataclass(frozen=True)
class HomeAddress:
    """Where the client lives; the safety features send help here."""

    line: str
    city: str
    region: str
    postal_code: str
    country: str


def _client_event(client: Client, actor: User | None, what: str) -> None:
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="client",
        object_id=client.pk,
        client_id=client.pk,
        reason=f"onboarding: {what}",
    )


def _complete_if_done(client: Client, actor: User | None) -> None:
    """Stamp the first time every step is done (a later consent version does not unstamp it:
    the stamp is history, `onboarding_progress` is the live answer)."""
    if client.onboarding_completed_at is None and onboarding_progress(client).is_complete:
        client.onboarding_completed_at = timezone.now()
        client.save(update_fields=["onboarding_completed_at"])
        _client_event(client, actor, "completed")


def _require_own(client: Client, actor: User) -> None:
    if actor.pk != client.user_id:
        raise ValidationError("Only the client can complete their own onboarding.")


@transaction.atomic
def onboarding_welcome_seen(*, client: Client, actor: User) -> None:
    """Step 1: the client has read what to expect. Saying so twice changes nothing."""
    _require_own(client, actor)
    if client.onboarding_welcome_at is not None:
        return
    client.onboarding_welcome_at = timezone.now()
    client.save(update_fields=["onboarding_welcome_at"])
    _client_event(client, actor, "welcome seen")
    _complete_if_done(client, actor)


def _normal_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def name_matches(typed: str, client: Client) -> bool:
    """Loose match of a typed signature: case and spacing do not matter; the legal or the
    preferred first name, followed by the last name."""
    wanted = {
        _normal_name(f"{first} {client.last_name}")
        for first in (client.first_name, client.preferred_name)
        if first
    }
    return _normal_name(typed) in wanted


@transaction.atomic
def consent_sign(
    *, client: Client, document: ConsentDocument, typed_name: str, agreed: bool, actor: User
) -> ConsentSignature:
    """Steps 2 and 3: an electronic signature on the current version of a consent.

    Refused (nothing written) when the document is not the current version of its kind, the
    typed name is empty or not the client's, or the "I agree" box is not ticked. Signing the
    same version again returns the first signature.
    """
    _require_own(client, actor)
    current = current_consent(document.kind)
    if current is None or current.pk != document.pk:
        raise ValidationError(NEWER_VERSION)
    typed = " ".join(typed_name.split())
    errors = {}
    if not typed:
        errors["typed_name"] = "Type your full name to sign."
    elif not name_matches(typed, client):
        errors["typed_name"] = (
            f"Type your name as we have it: {client.first_name} {client.last_name}. "
            "If that is wrong, sign with it for now and tell your care team."
        )
    if not agreed:
        errors["agreed"] = "Tick the box to say you agree."
    if errors:
        raise ValidationError(errors)
    existing = ConsentSignature.objects.filter(client=client, document=document).first()
    if existing is not None:
        return existing
    signature = ConsentSignature.objects.create(
        client=client, document=document, typed_name=typed[:200], signed_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="consent_signature",
        object_id=signature.pk,
        client_id=client.pk,
        reason=f"{document.kind} v{document.version}",
    )
    _complete_if_done(client, actor)
    return signature


def _checked_contact(contact: ContactDetails, region: str) -> tuple[ContactDetails, dict]:
    errors: dict[str, str] = {}
    name, relationship = " ".join(contact.name.split()), " ".join(contact.relationship.split())
    if not name:
        errors["contact_name"] = "Enter their name."
    elif len(name) > 150:
        errors["contact_name"] = "Keep the name to 150 characters or fewer."
    if not relationship:
        errors["contact_relationship"] = "Say who they are to you, such as sister or friend."
    elif len(relationship) > 100:
        errors["contact_relationship"] = "Keep this to 100 characters or fewer."
    phone = ""
    try:
        phone = normalize_phone(contact.phone, region=region)
    except ValidationError as error:
        errors["contact_phone"] = error.messages[0]
    if contact.is_support_person is None:
        errors["contact_is_support_person"] = "Choose yes or no."
    if contact.consent_to_contact is None:
        errors["contact_consent_to_contact"] = "Choose yes or no."
    cleaned = ContactDetails(
        name=name,
        relationship=relationship,
        phone=phone,
        is_support_person=contact.is_support_person,
        consent_to_contact=contact.consent_to_contact,
    )
    return cleaned, errors


def _checked_address(address: HomeAddress) -> tuple[HomeAddress, dict]:
    errors: dict[str, str] = {}
    cleaned = HomeAddress(
        line=" ".join(address.line.split()),
        city=" ".join(address.city.split()),
        region=" ".join(address.region.split()),
        postal_code=" ".join(address.postal_code.split()).upper(),
        country=address.country.strip().upper(),
    )
    limits = {"line": 200, "city": 100, "region": 100, "postal_code": 20}
    for field, limit in limits.items():
        if len(getattr(cleaned, field)) > limit:
            errors[field] = f"Keep this to {limit} characters or fewer."
    if not cleaned.line:
        errors["line"] = "Enter your street address."
    if not cleaned.city:
        errors["city"] = "Enter your town or city."
    if not is_country_code(cleaned.country):
        errors["country"] = "Choose your country from the list."
    return cleaned, errors


@transaction.atomic
def onboarding_contacts_save(
    *, client: Client, address: HomeAddress, contact: ContactDetails | None, actor: User
) -> EmergencyContact | None:
    """Step 4: the home address and, optionally, one more emergency contact.

    The step is done once the client has an address and at least one contact, so the first
    save needs a contact. The phone is read in the address's country unless it starts with +.
    Returns the contact added, if any.
    """
    _require_own(client, actor)
    cleaned_address, errors = _checked_address(address)
    cleaned_contact = None
    if contact is not None:
        region = (
            cleaned_address.country
            if is_country_code(cleaned_address.country)
            else region_for_zone(client.time_zone)
        )
        cleaned_contact, contact_errors = _checked_contact(contact, region)
        errors |= contact_errors
    elif not client.emergency_contacts.exists():
        errors["contact_name"] = "Add at least one person we can call if you are in crisis."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    client.address_line = cleaned_address.line
    client.city = cleaned_address.city
    client.region = cleaned_address.region
    client.postal_code = cleaned_address.postal_code
    client.country = cleaned_address.country
    update = ["address_line", "city", "region", "postal_code", "country"]
    if client.onboarding_contacts_at is None:
        client.onboarding_contacts_at = now
        update.append("onboarding_contacts_at")
    client.save(update_fields=update)
    _client_event(client, actor, "home address")
    added = None
    if cleaned_contact is not None:
        added = EmergencyContact.objects.create(
            client=client,
            name=cleaned_contact.name,
            relationship=cleaned_contact.relationship,
            phone=cleaned_contact.phone,
            is_support_person=bool(cleaned_contact.is_support_person),
            consent_to_contact=bool(cleaned_contact.consent_to_contact),
            updated_at=now,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="emergency_contact",
            object_id=added.pk,
            client_id=client.pk,
        )
    _complete_if_done(client, actor)
    return added


@transaction.atomic
def emergency_contact_remove(*, contact: EmergencyContact, actor: User) -> None:
    """Remove one of the client's contacts; the last one stays until another is added."""
    client = contact.client
    _require_own(client, actor)
    if not client.emergency_contacts.exclude(pk=contact.pk).exists():
        raise ValidationError(
            "Add another emergency contact before removing this one: "
            "we need at least one person to call."
        )
    contact_id = contact.pk
    contact.delete()
    audit_record(
        actor=actor,
        action=Action.DELETE,
        object_type="emergency_contact",
        object_id=contact_id,
        client_id=client.pk,
    )


@transaction.atomic
def onboarding_device_check_done(*, client: Client, actor: User) -> None:
    """Step 5: the client has been through the device check page."""
    _require_own(client, actor)
    if client.onboarding_device_check_at is None:
        client.onboarding_device_check_at = timezone.now()
        client.save(update_fields=["onboarding_device_check_at"])
        _client_event(client, actor, "device check")
    _complete_if_done(client, actor)
