"""Program staff, client, care-team and break-glass workflows: one transaction each, audited."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.accounts.services import user_create
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import (
    BreakGlassGrant,
    CareTeamMember,
    CareTeamRole,
    Client,
    Program,
    ProgramStaff,
)

# Which account roles may hold which care-team seat.
_SEAT_ROLES = {
    CareTeamRole.PRIMARY: {Role.CLINICIAN},
    CareTeamRole.CLINICIAN: {Role.CLINICIAN},
    CareTeamRole.PRESCRIBER: {Role.CLINICIAN},
    CareTeamRole.FACILITATOR: {Role.FACILITATOR, Role.CLINICIAN},
}


@transaction.atomic
def program_staff_add(*, program: Program, user: User, actor: User | None = None) -> ProgramStaff:
    if not user.is_staff_role:
        raise ValidationError("Only staff accounts can join a program's staff.")
    membership, _ = ProgramStaff.objects.get_or_create(program=program, user=user)
    audit_record(
        actor=actor, action=Action.CREATE, object_type="program_staff", object_id=membership.pk
    )
    return membership


@transaction.atomic
def client_create(
    *,
    program: Program,
    email: str,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    time_zone: str,
    password: str | None = None,
    phone: str = "",
    actor: User | None = None,
) -> Client:
    """A client account and its record in `program`."""
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
    user = user_create(
        email=email,
        role=Role.CLIENT,
        password=password,
        display_name=first_name,
        time_zone=time_zone,
        actor=actor,
    )
    client = Client(
        user=user,
        program=program,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        time_zone=time_zone,
        phone=phone,
    )
    client.full_clean()
    client.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="client",
        object_id=client.pk,
        client_id=client.pk,
    )
    return client


@transaction.atomic
def care_team_add(
    *, client: Client, user: User, role: CareTeamRole | str, actor: User | None
) -> CareTeamMember:
    """Put `user` on the client's care team (a primary clinician replaces the previous one)."""
    seat = CareTeamRole(role)
    if user.role not in _SEAT_ROLES[seat] or not user.is_active:
        raise ValidationError(f"A {user.get_role_display().lower()} cannot be a {seat.label}.")
    if not ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists():
        raise ValidationError("That person does not work in this client's program.")
    if seat == CareTeamRole.PRIMARY:
        CareTeamMember.objects.filter(client=client, role=CareTeamRole.PRIMARY).exclude(
            user=user
        ).update(role=CareTeamRole.CLINICIAN)
    member, created = CareTeamMember.objects.update_or_create(
        client=client, user=user, defaults={"role": seat}
    )
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        object_type="care_team_member",
        object_id=member.pk,
        client_id=client.pk,
    )
    return member


@transaction.atomic
def care_team_remove(*, member: CareTeamMember, actor: User) -> None:
    client_id, member_id = member.client_id, member.pk
    member.delete()
    audit_record(
        actor=actor,
        action=Action.DELETE,
        object_type="care_team_member",
        object_id=member_id,
        client_id=client_id,
    )


BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_MAX = 500  # BreakGlassGrant.reason's max_length


@transaction.atomic
def break_glass_open(
    *, user: User, last_name: str, date_of_birth: date, reason: str
) -> BreakGlassGrant | None:
    """Emergency access for a clinician outside the care team.

    The clinician names the client (last name + date of birth) within their own programs and
    types a reason. Every attempt is audited, including one that matches nobody, so that
    compliance sees probing as well as use; the name and date searched for are not recorded,
    since they are PHI of whoever they match.
    """
    reason = reason.strip()
    if user.role != Role.CLINICIAN or not user.is_active:
        raise ValidationError("Only clinicians can use emergency access.")
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ValidationError(
            {"reason": f"Describe the emergency (at least {BREAK_GLASS_REASON_MIN} characters)."}
        )
    if len(reason) > BREAK_GLASS_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {BREAK_GLASS_REASON_MAX} characters or fewer."}
        )
    matches = list(
        Client.objects.filter(
            program__staff__user=user,
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )[:2]
    )
    if len(matches) != 1:
        audit_record(
            actor=user,
            action=Action.BREAK_GLASS,
            object_type="client",
            object_id="",
            reason=f"no unique match; {reason}",
        )
        return None
    client = matches[0]
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        client=client,
        reason=reason,
        granted_at=now,
        expires_at=now + settings.OPENIOP_BREAK_GLASS_LIFETIME,
    )
    audit_record(
        actor=user,
        action=Action.BREAK_GLASS,
        object_type="break_glass_grant",
        object_id=grant.pk,
        client_id=client.pk,
        reason=reason,
    )
    return grant


@transaction.atomic
def break_glass_review(*, grant: BreakGlassGrant, reviewer: User, note: str) -> BreakGlassGrant:
    """Compliance marks one emergency access as reviewed; a grant is reviewed once."""
    if reviewer.role != Role.COMPLIANCE or not reviewer.is_active:
        raise ValidationError("Only compliance officers review emergency access.")
    # Re-read under a row lock: two officers marking the same grant at once must not both
    # succeed, the second silently replacing the first one's review.
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ValidationError("This emergency access has already been reviewed.")
    grant.reviewed_by = reviewer
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()[:500]
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        actor=reviewer,
        action=Action.UPDATE,
        object_type="break_glass_grant",
        object_id=grant.pk,
        client_id=grant.client_id,
        reason="reviewed",
    )
    return grant
