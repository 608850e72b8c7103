"""Referral intake: a new client, their first enrollment, the referral, documents, invitation.

One transaction: every input is checked before the first write, so a refusal (a
ValidationError keyed by the referral form's field names) leaves no account, row, file or
audit event behind.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import Role, User, validate_time_zone
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.phones import normalize_phone, region_for_zone
from openiop.programs.intake import possible_duplicate, programs_for_referrer
from openiop.programs.models import (
    CareTeamRole,
    Client,
    Program,
    Referral,
    ReferralSource,
)
from openiop.programs.services.documents import check_documents, documents_store
from openiop.programs.services.enrollment import enrollment_open
from openiop.programs.services.invites import invite_queue
from openiop.programs.services.records import care_team_add, client_create

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
REASON_MAX = 4000
EMAIL_IN_USE = (
    "An account already uses this email address. If this is a returning client, open their "
    "record instead; otherwise ask for another address."
)


class PossibleDuplicate(Exception):
    """Same name and date of birth as an existing client of the program; nothing written.

    Recording the referral anyway needs `confirm_not_duplicate=True` (API: 409 until then).
    """

    def __init__(self, existing: Client) -> None:
        super().__init__(
            "A client of this program already has this name and date of birth. Check that "
            "this is a different person before recording the referral."
        )
        self.existing = existing


@dataclass(frozen=True)
class _Checked:
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    time_zone: str
    source: str
    referring_provider: str
    referring_contact: str
    reason: str


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _check(
    *,
    program: Program,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    email: str,
    phone: str | None,
    time_zone: str,
    source: str,
    referring_provider: str,
    referring_contact: str,
    reason: str,
) -> tuple[_Checked, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    first, last = _one_line(first_name), _one_line(last_name)
    for field, value, label in (("first_name", first, "first"), ("last_name", last, "last")):
        if not value:
            refuse(field, f"Enter the client's {label} name.")
        elif len(value) > 100:
            refuse(field, f"Keep the {label} name to 100 characters or fewer.")
    if date_of_birth is None:
        refuse("date_of_birth", "Enter the date of birth.")
    elif date_of_birth > timezone.localdate():
        refuse("date_of_birth", "The date of birth cannot be in the future. Check the year.")
    elif date_of_birth < EARLIEST_BIRTH_DATE:
        refuse("date_of_birth", "The date of birth is before 1900. Check the year.")
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        refuse("email", "Enter an email address such as name@example.com.")
    normalized_phone = ""
    if (phone or "").strip():
        try:
            normalized_phone = normalize_phone(
                phone or "", region=region_for_zone(program.time_zone)
            )
        except ValidationError as error:
            refuse("phone", error.messages[0])
    zone = (time_zone or "").strip()
    try:
        validate_time_zone(zone)
    except ValidationError:
        refuse(
            "time_zone",
            f"{zone or 'An empty value'} is not a time zone. Use an IANA name such as "
            "America/Chicago or Europe/London.",
        )
    if source not in ReferralSource.values:
        choices = ", ".join(ReferralSource.values)
        refuse("source", f"Choose the referral source: one of {choices}.")
    provider, contact = _one_line(referring_provider), _one_line(referring_contact)
    if len(provider) > 200:
        refuse("referring_provider", "Keep the referring provider to 200 characters or fewer.")
    if len(contact) > 200:
        refuse("referring_contact", "Keep the contact to 200 characters or fewer.")
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        refuse("reason", f"Keep the reason to {REASON_MAX} characters or fewer.")
    checked = _Checked(
        first_name=first,
        last_name=last,
        date_of_birth=date_of_birth or EARLIEST_BIRTH_DATE,
        email=address,
        phone=normalized_phone,
        time_zone=zone,
        source=source,
        referring_provider=provider,
        referring_contact=contact,
        reason=text,
    )
    return checked, errors


@transaction.atomic
def referral_create(
    *,
    program: Program,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    email: str,
    phone: str | None,
    time_zone: str,
    source: ReferralSource | str,
    referring_provider: str = "",
    referring_contact: str = "",
    reason: str = "",
    documents: Sequence[File] = (),
    actor: User | None,
    confirm_not_duplicate: bool = False,
) -> Referral:
    """Record a referral: the client account (no usable password), an enrollment in phase
    `referred`, the referral, its documents, and the invitation email (sent on commit).

    Raises ValidationError (field -> messages) for bad input, PossibleDuplicate when a client
    of the program has the same name and date of birth and the caller has not confirmed this
    is a different person, PermissionDenied for an actor who may not refer to `program`.
    A confirmed duplicate is recorded and flagged in `Referral.possible_duplicate_of`.
    """
    if actor is not None and not programs_for_referrer(actor).filter(pk=program.pk).exists():
        raise PermissionDenied("Only clinicians and directors of the program record referrals.")
    # One referral at a time per program, so two desks cannot both miss each other's duplicate.
    program = Program.objects.select_for_update().get(pk=program.pk)
    data, errors = _check(
        program=program,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        email=email,
        phone=phone,
        time_zone=time_zone,
        source=str(source),
        referring_provider=referring_provider,
        referring_contact=referring_contact,
        reason=reason,
    )
    try:
        check_documents(documents)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    duplicate = possible_duplicate(program, data.first_name, data.last_name, data.date_of_birth)
    if duplicate is not None and not confirm_not_duplicate:
        raise PossibleDuplicate(duplicate)
    if User.objects.filter(email__iexact=data.email).exists():
        raise ValidationError({"email": EMAIL_IN_USE})

    client = client_create(
        program=program,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        date_of_birth=data.date_of_birth,
        time_zone=data.time_zone,
        password=None,
        phone=data.phone,
        actor=actor,
    )
    enrollment = enrollment_open(
        client=client, program=program, actor=actor, reason="referral received"
    )
    referral = Referral.objects.create(
        enrollment=enrollment,
        source=data.source,
        referring_provider=data.referring_provider,
        referring_contact=data.referring_contact,
        reason=data.reason,
        received_at=enrollment.referred_at,
        recorded_by=actor,
        possible_duplicate_of=duplicate,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="referral",
        object_id=referral.pk,
        client_id=client.pk,
        reason="possible duplicate confirmed as a different person" if duplicate else "",
    )
    if actor is not None and actor.role == Role.CLINICIAN:
        # Whoever takes the referral does the intake until the director seats the team, and
        # lands on the client's page, which only the care team may open.
        care_team_add(client=client, user=actor, role=CareTeamRole.CLINICIAN, actor=actor)
    invite_queue(client=client, actor=actor)
    # Last: the files are the one write outside the database (see services.documents).
    documents_store(client=client, uploads=documents, actor=actor, referral=referral)
    return referral
