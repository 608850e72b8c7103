"""Every write of the resources app: one transaction each, with its audit event."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from openiop.accounts.models import ApiToken, Role, User
from openiop.accounts.services import user_create, user_set_password
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client, Program
from openiop.resources import family, geo
from openiop.resources.invites import user_for_family_invite
from openiop.resources.models import (
    ClientResource,
    Disclosure,
    DisclosureConsent,
    FamilyConsent,
    FamilyScope,
    PartnerLocation,
    Place,
    ProgramPart2,
    ReferralOut,
    ReferralStatus,
    Resource,
)
from openiop.resources.selectors import is_part2
from openiop.resources.tasks import send_family_invite

# Directory ----------------------------------------------------------------------------------


def _place_geocode(place: Place) -> None:
    point = (
        None
        if getattr(place, "is_online", False)
        else geo.centroid(place.postal_code, place.country or "US")
    )
    place.latitude, place.longitude = point if point else (None, None)


@transaction.atomic
def resource_save(
    *, program: Program, actor: User, resource: Resource | None = None, **fields: Any
) -> Resource:
    """Add a directory entry to `program`, or change `resource`; its ZIP code's centroid is
    looked up offline so it can be found by distance."""
    creating = resource is None
    resource = resource or Resource(program=program)
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.updated_by = actor
    _place_geocode(resource)
    resource.full_clean()
    resource.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        object_type="resource",
        object_id=resource.pk,
    )
    return resource


@transaction.atomic
def resource_verify(*, resource: Resource, actor: User, today: date | None = None) -> Resource:
    """Someone checked the entry's details today: it is no longer stale."""
    resource.last_verified_on = today or timezone.localdate()
    resource.updated_by = actor
    resource.save(update_fields=["last_verified_on", "updated_by"])
    audit_record(actor=actor, action=Action.UPDATE, object_type="resource", object_id=resource.pk)
    return resource


@transaction.atomic
def partner_location_save(
    *, program: Program, actor: User, location: PartnerLocation | None = None, **fields: Any
) -> PartnerLocation:
    creating = location is None
    location = location or PartnerLocation(program=program)
    for name, value in fields.items():
        setattr(location, name, value)
    _place_geocode(location)
    location.full_clean()
    location.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        object_type="partner_location",
        object_id=location.pk,
    )
    return location


@transaction.atomic
def program_part2_set(*, program: Program, is_part2: bool, actor: User) -> ProgramPart2:
    """Mark (or unmark) the program as a substance-use program under 42 CFR Part 2: its
    consents then carry the Part 2 elements and the redisclosure notice."""
    flag, _ = ProgramPart2.objects.select_for_update().get_or_create(program=program)
    flag.is_part2, flag.changed_by, flag.changed_at = is_part2, actor, timezone.now()
    flag.save()
    audit_record(
        actor=actor, action=Action.UPDATE, object_type="program_part2", object_id=program.pk
    )
    return flag


@transaction.atomic
def client_resource_add(*, client: Client, resource: Resource, actor: User) -> ClientResource:
    """The care team puts a directory entry on the client's "Near me" list."""
    if resource.program_id != client.program_id or not resource.is_active:
        raise ValidationError("Choose an entry of the client's program directory.")
    chosen, created = ClientResource.objects.get_or_create(
        client=client, resource=resource, defaults={"added_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="client_resource",
            object_id=chosen.pk,
            client_id=client.pk,
        )
    return chosen


@transaction.atomic
def client_resource_remove(*, chosen: ClientResource, actor: User) -> None:
    audit_record(
        actor=actor,
        action=Action.DELETE,
        object_type="client_resource",
        object_id=chosen.pk,
        client_id=chosen.client_id,
    )
    chosen.delete()


# Referrals out ------------------------------------------------------------------------------


@transaction.atomic
def referral_out_create(
    *,
    client: Client,
    actor: User,
    kind: str,
    provider_name: str = "",
    provider_contact: str = "",
    resource: Resource | None = None,
) -> ReferralOut:
    """Refer the client to a directory entry or a named provider. No records go with it:
    sending them needs the client's consent (`disclosure_send`)."""
    if resource is not None and resource.program_id != client.program_id:
        raise ValidationError({"resource": ["Choose an entry of the client's program directory."]})
    name = provider_name.strip() or (resource.name if resource else "")
    if not name:
        raise ValidationError(
            {"provider_name": ["Name the provider, or choose a directory entry."]}
        )
    contact = provider_contact.strip() or (resource.phone if resource else "")
    referral = ReferralOut.objects.create(
        client=client,
        resource=resource,
        provider_name=name,
        provider_contact=contact,
        kind=kind,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="referral_out",
        object_id=referral.pk,
        client_id=client.pk,
    )
    return referral


@transaction.atomic
def referral_out_status(*, referral: ReferralOut, status: str, actor: User) -> ReferralOut:
    status = ReferralStatus(status)
    if referral.status == status:
        return referral
    referral.status, referral.status_changed_at = status, timezone.now()
    referral.save(update_fields=["status", "status_changed_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="referral_out",
        object_id=referral.pk,
        client_id=referral.client_id,
    )
    return referral


def _check_consent_elements(
    *, purpose: str, expires_at: datetime | None, signed_name: str, information: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not purpose.strip():
        errors["purpose"] = ["Say what the information is for."]
    if expires_at is None:
        errors["expires_at"] = ["Give the date the consent ends."]
    elif expires_at <= timezone.now():
        errors["expires_at"] = ["The consent must end in the future."]
    if not signed_name.strip():
        errors["signed_name"] = ["The client signs by typing their full name."]
    if not information.strip():
        errors["information"] = ["Say what information is shared."]
    return errors


@transaction.atomic
def disclosure_consent_record(
    *,
    referral: ReferralOut,
    actor: User,
    information: str,
    purpose: str,
    expires_at: datetime | None,
    signed_name: str,
) -> DisclosureConsent:
    """The client's signed consent to send `information` to the referral's recipient for
    `purpose` until `expires_at`; refused with nothing written if an element is missing."""
    errors = _check_consent_elements(
        purpose=purpose, expires_at=expires_at, signed_name=signed_name, information=information
    )
    if errors:
        raise ValidationError(errors)
    consent = DisclosureConsent.objects.create(
        client_id=referral.client_id,
        referral=referral,
        recipient=referral.provider_name,
        information=information.strip(),
        purpose=purpose.strip(),
        expires_at=expires_at,  # type: ignore[misc]  # checked above
        signed_name=signed_name.strip(),
        is_part2=is_part2(referral.client.program),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="disclosure_consent",
        object_id=consent.pk,
        client_id=referral.client_id,
    )
    return consent


NO_CONSENT = (
    "Records can only be sent with the client's consent: record their signed consent for "
    "this referral first (it may have expired or been revoked)."
)


@transaction.atomic
def disclosure_send(*, referral: ReferralOut, actor: User) -> Disclosure:
    """Send the consented records to the referral's recipient: written to the accounting of
    disclosures and audited as an export naming the recipient and the consent."""
    now = timezone.now()
    consent = (
        DisclosureConsent.objects.select_for_update()
        .filter(referral=referral, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if consent is None:
        raise ValidationError(NO_CONSENT)
    disclosure = Disclosure.objects.create(
        referral=referral,
        consent=consent,
        recipient=consent.recipient,
        information=consent.information,
        disclosed_by=actor,
        disclosed_at=now,
    )
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type="referral_disclosure",
        object_id=disclosure.pk,
        client_id=referral.client_id,
        reason=f"consent {consent.pk}; to {consent.recipient}",
    )
    return disclosure


@transaction.atomic
def disclosure_consent_revoke(*, consent: DisclosureConsent, actor: User) -> None:
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="disclosure_consent",
            object_id=consent.pk,
            client_id=consent.client_id,
            reason="revoked",
        )


# Family -------------------------------------------------------------------------------------

OTHER_ROLE = (
    "That email address already belongs to an OpenIOP account that is not a family member's "
    "(for example a client or staff member), so it cannot be invited. Ask the person for "
    "another address."
)
ALREADY_SHARING = (
    "You already share with this person. To change what they see, stop sharing and invite "
    "them again."
)


@dataclass(frozen=True)
class FamilyShare:
    """What the client fills in to share with a family member or support person."""

    email: str
    name: str
    relationship: str
    scopes: frozenset[str]
    purpose: str
    expires_at: datetime | None
    signed_name: str


def information_text(scopes: frozenset[str] | list[str]) -> str:
    """The amount and kind of information, in words (a Part 2 element)."""
    labels = [FamilyScope(s).label for s in FamilyScope.values if s in scopes]
    return "; ".join(labels) + ". Nothing else from the clinical record."


def _account_for(email: str) -> User | None:
    return User.objects.select_for_update().filter(email__iexact=email).first()


def _invitee_problems(person: User | None, client: Client) -> dict[str, list[str]]:
    """Why the account behind an invited address cannot take this invitation, if it can't."""
    if person is not None and person.role != Role.FAMILY:
        return {"email": [OTHER_ROLE]}
    if person is not None and family.active_consents(person).filter(client=client).exists():
        return {"email": [ALREADY_SHARING]}
    return {}


@transaction.atomic
def family_invite(*, client: Client, share: FamilyShare, actor: User) -> FamilyConsent:
    """The client shares `share.scopes` with a family member: their consent is recorded and
    the person gets an email with a one-time link to choose a password (or, with an account
    already, a note that something was shared). Refused with nothing written for a missing
    purpose, expiry or scope, or an address that belongs to another role."""
    email = share.email.strip().lower()
    errors = _check_consent_elements(
        purpose=share.purpose,
        expires_at=share.expires_at,  # type: ignore[misc]  # checked above
        signed_name=share.signed_name,
        information="x" if share.scopes else "",
    )
    if "information" in errors:
        errors["scopes"] = errors.pop("information")
        errors["scopes"] = ["Choose at least one thing to share."]
    if not share.name.strip():
        errors["name"] = ["Give the person's name."]
    if not share.relationship.strip():
        errors["relationship"] = ["Say how they are related to you, e.g. parent or friend."]
    person = _account_for(email)
    errors.update(_invitee_problems(person, client))
    if errors:
        raise ValidationError(errors)
    if person is None:
        try:
            with transaction.atomic():  # a savepoint: a simultaneous invitation may win
                person = user_create(
                    email=email,
                    role=Role.FAMILY,
                    password=None,
                    display_name=share.name.strip(),
                    time_zone=client.time_zone,
                    actor=actor,
                )
        except (IntegrityError, ValidationError):  # the insert, or the uniqueness check
            winner = _account_for(email)
            if winner is None:  # not an address clash after all
                raise
            problems = _invitee_problems(winner, client)
            if problems:
                raise ValidationError(problems) from None
            person = winner
    scopes = frozenset(share.scopes)
    consent = FamilyConsent.objects.create(
        client=client,
        family_user=person,
        recipient=share.name.strip(),
        relationship=share.relationship.strip(),
        information=information_text(scopes),
        purpose=share.purpose.strip(),
        expires_at=share.expires_at,  # type: ignore[misc]  # checked above
        signed_name=share.signed_name.strip(),
        is_part2=is_part2(client.program),
        share_schedule=FamilyScope.SCHEDULE in scopes,
        share_attendance=FamilyScope.ATTENDANCE in scopes,
        share_family_notes=FamilyScope.FAMILY_NOTES in scopes,
        share_safety_plan=FamilyScope.SAFETY_PLAN in scopes,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="family_consent",
        object_id=consent.pk,
        client_id=client.pk,
    )
    user_id, consent_id = person.pk, consent.pk
    transaction.on_commit(
        lambda: send_family_invite.enqueue(user_id=user_id, consent_id=consent_id)
    )
    return consent


@transaction.atomic
def family_consent_revoke(*, consent: FamilyConsent, actor: User) -> FamilyConsent:
    """Stop sharing now. Every page, API call and calendar fetch checks the consent, so
    access ends with this commit; when it was the family user's last active consent their
    API tokens and calendar feeds are revoked too."""
    consent = FamilyConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        return consent
    now = timezone.now()
    consent.revoked_at = now
    consent.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="family_consent",
        object_id=consent.pk,
        client_id=consent.client_id,
        reason="revoked",
    )
    person = consent.family_user
    if family.has_active_consent(person):
        family.consent_revoked(person)
    else:
        family_access_end(user=person, actor=actor)
    return consent


def family_access_end(*, user: User, actor: User | None) -> None:
    """Revoke what was issued to a family user who no longer has any active consent."""
    tokens = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True)
    )
    ApiToken.objects.filter(pk__in=tokens).update(revoked_at=timezone.now())
    for pk in tokens:
        audit_record(actor=actor, action=Action.DELETE, object_type="api_token", object_id=pk)
    family.access_ended(user)


def family_access_sweep() -> int:
    """For consents that simply expired (nobody acted): revoke the API tokens and calendar
    feeds of family users left without an active consent. Access already ended at expiry
    (every request checks the consent); this tidies what was issued. Returns how many users
    it swept. Run it from cron (`manage.py family_access_sweep`)."""
    live_tokens = ApiToken.objects.filter(user=OuterRef("pk"), revoked_at__isnull=True)
    ended = (
        User.objects.filter(role=Role.FAMILY, family_consents__isnull=False)
        # A live feed: scheduling's CalendarFeed, reached through the reverse relation
        # (resources sits left of scheduling and does not import it).
        .filter(
            Exists(live_tokens)
            | Q(calendar_feeds__pk__isnull=False, calendar_feeds__revoked_at__isnull=True)
        )
        .exclude(
            family_consents__in=FamilyConsent.objects.filter(
                revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
        )
        .distinct()
    )
    swept = 0
    for user in ended:
        with transaction.atomic():
            family_access_end(user=user, actor=None)
        swept += 1
    return swept


class FamilyInviteInvalid(Exception):
    """The link is unknown, expired or already used; nothing was written."""


@transaction.atomic
def family_invite_accept(*, uidb64: str, token: str, password: str) -> User:
    """Set the family member's first password from a good link; the link is spent by it."""
    user = user_for_family_invite(uidb64, token)
    if user is None:
        raise FamilyInviteInvalid
    User.objects.select_for_update().filter(pk=user.pk).first()
    user = user_for_family_invite(uidb64, token)
    if user is None:
        raise FamilyInviteInvalid
    user_set_password(user=user, password=password, actor=user)
    return user
