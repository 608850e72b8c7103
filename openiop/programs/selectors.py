"""Who may see which client, and the reads that follow from it.

Deny by default: a client's record is visible to the client, to the clinicians and
facilitators on their care team, to the directors of their program, and to a clinician
holding an unexpired break-glass grant. Everyone else gets a 404, so ids cannot be probed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import (
    BreakGlassGrant,
    CareTeamMember,
    CareTeamRole,
    Client,
    DischargeSummary,
    Enrollment,
    Phase,
    ProgramStaff,
)


def clients_visible_to(user: User) -> QuerySet[Client]:
    """Every client `user` may see; an empty queryset for anyone without a rule."""
    if not user.is_authenticated or not user.is_active:
        return Client.objects.none()
    if user.role == Role.CLIENT:
        return Client.objects.filter(user=user)
    if user.role in (Role.CLINICIAN, Role.FACILITATOR):
        on_team = CareTeamMember.objects.filter(client=OuterRef("pk"), user=user)
        rule = Q(Exists(on_team))
        if user.role == Role.CLINICIAN:
            grants = BreakGlassGrant.objects.filter(
                client=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
            )
            rule |= Q(Exists(grants))
        return Client.objects.filter(rule)
    if user.role == Role.DIRECTOR:
        directed = ProgramStaff.objects.filter(program=OuterRef("program_id"), user=user)
        return Client.objects.filter(Exists(directed))
    return Client.objects.none()


def get_client_for_user(user: User, client_id: int) -> Client:
    """The client with `client_id` if `user` may see it; Http404 otherwise."""
    client = clients_visible_to(user).select_related("program", "user").filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


@transaction.atomic
def read_client_for_user(
    user: User, client_id: int, *, object_type: str = "client", object_id: object = None
) -> Client:
    """Like `get_client_for_user`, and record the read in the audit trail."""
    client = get_client_for_user(user, client_id)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type=object_type,
        object_id=client.pk if object_id is None else object_id,
        client_id=client.pk,
        reason=active_break_glass_reason(user, client),
    )
    return client


def active_break_glass_reason(user: User, client: Client) -> str:
    """The reason of the user's active grant for `client` when not on the care team, else ''."""
    if user.role != Role.CLINICIAN:
        return ""
    if CareTeamMember.objects.filter(client=client, user=user).exists():
        return ""
    grant = (
        BreakGlassGrant.objects.filter(client=client, user=user, expires_at__gt=timezone.now())
        .order_by("-granted_at")
        .first()
    )
    return f"break-glass: {grant.reason}" if grant else ""


def caseload(user: User) -> QuerySet[Client]:
    """The clients listed on the user's home page, with what the list shows."""
    return clients_visible_to(user).select_related("program").order_by("last_name", "first_name")


def may_manage_care_team(user: User, client: Client) -> bool:
    """Directors of the client's program and the client's primary clinician."""
    if user.role == Role.DIRECTOR:
        return ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists()
    return CareTeamMember.objects.filter(client=client, user=user, role="primary").exists()


# Discharge ----------------------------------------------------------------------------------

# Seats whose holder drafts and signs the discharge summary (facilitators and prescribers
# read it; the director reads it and may export it).
DISCHARGE_WRITER_SEATS = (CareTeamRole.PRIMARY, CareTeamRole.CLINICIAN)
_DISCHARGE_PHASES = (Phase.ACTIVE, Phase.STEP_DOWN, Phase.DISCHARGED, Phase.AFTERCARE)


def may_view_discharge(user: User, client: Client) -> bool:
    """The client's care team and the directors of their program.

    Not the client (their own page is /me/) and not a break-glass reader: emergency access is
    for reading the record in a crisis, not for handing it to another provider.
    """
    if not user.is_active:
        return False
    if user.role == Role.DIRECTOR:
        return ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists()
    if user.role in (Role.CLINICIAN, Role.FACILITATOR):
        return CareTeamMember.objects.filter(client=client, user=user).exists()
    return False


def may_write_discharge(user: User, client: Client) -> bool:
    """A clinician in the primary or clinician seat of the client's care team."""
    return (
        user.is_active
        and user.role == Role.CLINICIAN
        and CareTeamMember.objects.filter(
            client=client, user=user, role__in=DISCHARGE_WRITER_SEATS
        ).exists()
    )


def discharge_enrollment_for(client: Client) -> Enrollment | None:
    """The episode the discharge pages are about: the open active or step-down one, else the
    most recently discharged one (whose summary may still be a draft, or signed)."""
    is_open = Case(
        When(phase__in=[Phase.ACTIVE, Phase.STEP_DOWN], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Enrollment.objects.filter(client=client, phase__in=_DISCHARGE_PHASES)
        .select_related("program", "track", "client")
        .order_by(is_open, F("discharged_at").desc(nulls_last=True), "-referred_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Discharge:
    """What the discharge pages show: the client, the episode, and its summary if begun."""

    client: Client
    enrollment: Enrollment | None
    summary: DischargeSummary | None


def get_discharge_for_user(user: User, client_id: int) -> Discharge:
    """The client's discharge if `user` may see it (see `may_view_discharge`); Http404
    otherwise, the same answer as for an unknown id."""
    client = get_client_for_user(user, client_id)
    if not may_view_discharge(user, client):
        raise Http404("No such client.")
    enrollment = discharge_enrollment_for(client)
    summary = None
    if enrollment is not None:
        summary = (
            DischargeSummary.objects.select_related("signed_by", "created_by")
            .filter(enrollment=enrollment)
            .first()
        )
    return Discharge(client=client, enrollment=enrollment, summary=summary)


@transaction.atomic
def read_discharge_for_user(user: User, client_id: int) -> Discharge:
    """Like `get_discharge_for_user`, and record the read in the audit trail."""
    discharge = get_discharge_for_user(user, client_id)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="discharge_summary",
        object_id=discharge.summary.pk if discharge.summary else "",
        client_id=discharge.client.pk,
    )
    return discharge


def attended_hours_for(enrollment: Enrollment) -> Decimal:
    """Hours the client attended during this enrollment, for the discharge summary.

    Always 0 for now: attendance does not exist yet. The issue that brings attendance
    (scheduling: "attendance from real presence") makes this the one place that sums it, from
    `enrollment.admitted_at` to `enrollment.discharged_at` (or now). Scheduling sits to the
    right of programs, so that issue either registers its sum here or moves this prefill to
    scheduling; every caller (draft, signing, PDF) goes through this function, so nothing
    else changes.
    """
    return Decimal("0.0")


MEASURE_CHANGE_PLACEHOLDER = (
    "Outcome measures are not recorded in OpenIOP yet; describe progress in the course of "
    "treatment."
)


def measure_change_for(enrollment: Enrollment) -> str:
    """Change in the client's outcome measures over the enrollment, in words.

    A placeholder until measures exist (the measures app, to the right of programs, will
    supply it; see `attended_hours_for`).
    """
    return MEASURE_CHANGE_PLACEHOLDER


@dataclass(frozen=True)
class DischargeFacts:
    """What the discharge summary states as fact rather than as the clinician's text."""

    program_name: str
    level_of_care: str
    track_name: str
    admission_date: date | None
    discharge_date: date
    attended_hours: Decimal
    measure_change: str
    care_team: list[tuple[str, str]]  # (name, seat), primary clinician first


def discharge_facts(enrollment: Enrollment) -> DischargeFacts:
    """The prefilled facts, dates in the program's time zone.

    The discharge date is the day the enrollment was discharged or, before that, today.
    """
    program = enrollment.program
    zone = ZoneInfo(program.time_zone)
    admitted = enrollment.admitted_at
    seat_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(CareTeamRole.values)),
        output_field=IntegerField(),
    )
    team = (
        CareTeamMember.objects.filter(client_id=enrollment.client_id)
        .select_related("user")
        .order_by(seat_order, "user__display_name", "pk")
    )
    return DischargeFacts(
        program_name=program.name,
        level_of_care=program.get_level_of_care_display(),
        track_name=enrollment.track.name if enrollment.track else "",
        admission_date=timezone.localdate(admitted, zone) if admitted else None,
        discharge_date=timezone.localdate(enrollment.discharged_at or timezone.now(), zone),
        attended_hours=attended_hours_for(enrollment),
        measure_change=measure_change_for(enrollment),
        care_team=[(str(m.user), m.get_role_display()) for m in team],
    )
