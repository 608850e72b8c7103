"""Who may see which client, and the reads that follow from it.

Deny by default: a client's record is visible to the client, to the clinicians and
facilitators on their care team, to the directors of their program, and to a clinician
holding an unexpired break-glass grant. Everyone else gets a 404, so ids cannot be probed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import BREAK_GLASS_PREFIX, audit_record, audit_record_many
from openiop.programs.models import (
    ALLOWED_TRANSITIONS,
    OPEN_PHASES,
    BreakGlassGrant,
    CareTeamMember,
    CareTeamRole,
    Client,
    DischargeSummary,
    Enrollment,
    Phase,
    Program,
    ProgramStaff,
    Track,
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
    return f"{BREAK_GLASS_PREFIX}{grant.reason}" if grant else ""


def caseload(user: User) -> QuerySet[Client]:
    """The clients listed on the user's home page, with what the list shows: each client's
    current phase and track come from subqueries, so the list stays one query."""
    current = current_enrollments().filter(client=OuterRef("pk"))
    return (
        clients_visible_to(user)
        .select_related("program")
        .annotate(
            current_phase=Subquery(current.values("phase")[:1]),
            current_track=Subquery(current.values("track__name")[:1]),
        )
        .order_by("last_name", "first_name", "pk")
    )


def record_list_read(user: User, client_ids: Sequence[int], *, object_type: str) -> None:
    """A list page shows names, which are PHI: one read event per listed client, in a fixed
    number of queries, so compliance finds the look under each client's id."""
    with transaction.atomic():
        audit_record_many(
            actor=user,
            action=Action.READ,
            object_type=object_type,
            entries=[(client_id, client_id) for client_id in client_ids],
        )


NOT_ALLOWED_CARE_TEAM = (
    "Only the program's director or the primary clinician can change the care team."
)


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
    """Not the client (their own page is /me/) and not a break-glass reader: emergency access
    is for reading the record in a crisis, not for handing it to another provider."""
    return on_team_or_directs(user, client)


def on_team_or_directs(user: User, client: Client) -> bool:
    """The client's care team (clinicians and facilitators) and their program's directors."""
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


# False until attendance exists: the summary then says the hours are not recorded rather
# than letting the next provider read "0.0" as "attended nothing".
# Attendance lives in scheduling, to the right of programs: it registers its sum here at
# start-up (SchedulingConfig.ready) instead of programs importing it.
_attended_hours_source: Callable[[Enrollment], Decimal] | None = None


def register_attended_hours(source: Callable[[Enrollment], Decimal]) -> None:
    global _attended_hours_source
    _attended_hours_source = source


def attendance_recorded() -> bool:
    """Whether an attendance source is registered (the discharge PDF says so if not)."""
    return _attended_hours_source is not None


def attended_hours_for(enrollment: Enrollment) -> Decimal:
    """Hours the client attended during this enrollment, for the discharge summary (draft,
    signing and PDF all come here): the registered attendance sum, 0 without one."""
    if _attended_hours_source is None:
        return Decimal("0.0")
    return _attended_hours_source(enrollment)


MEASURE_CHANGE_PLACEHOLDER = (
    "Outcome measures are not recorded in OpenIOP yet; describe progress in the course of "
    "treatment."
)


# Measures, to the right of programs, registers its summary at start-up (MeasuresConfig.ready);
# it answers None when no measure was completed during the enrollment.
_measure_change_source: Callable[[Enrollment], str | None] | None = None


def register_measure_change(source: Callable[[Enrollment], str | None]) -> None:
    global _measure_change_source
    _measure_change_source = source


def measure_change_for(enrollment: Enrollment) -> str:
    """Change in the client's outcome measures over the enrollment, in words: the registered
    measures summary, else the placeholder."""
    if _measure_change_source is not None:
        summary = _measure_change_source(enrollment)
        if summary:
            return summary
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
    attendance_recorded: bool
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
        attendance_recorded=attendance_recorded(),
        measure_change=measure_change_for(enrollment),
        care_team=[(str(m.user), m.get_role_display()) for m in team],
    )


# Programs, tracks and enrollment phases ------------------------------------------------------

WAITING_PHASES = (Phase.REFERRED, Phase.INTAKE)  # the program board's "Waiting to start"
ENROLLED_PHASES = (Phase.ACTIVE, Phase.STEP_DOWN)  # the clients who fill a track's places
# Seats whose holder (a clinician) may move the client's phase and assign the track;
# facilitators run groups and do not decide admission or step-down.
PHASE_MOVER_SEATS = (CareTeamRole.PRIMARY, CareTeamRole.CLINICIAN, CareTeamRole.PRESCRIBER)
# Roles that see no client record at all: refused for what they are, before any lookup.
NOT_ALLOWED_PHASES = (
    "Only the client's clinicians and the program's director can change the phase or the track."
)
NOT_ALLOWED_PROGRAMS = "Only program directors and site admins can set up programs and tracks."
WAITING_SHOWN = 100  # the board lists the longest-waiting; the phase counts give the total


def current_enrollments() -> QuerySet[Enrollment]:
    """Enrollments with each client's current one first: the open episode, else the latest."""
    is_open = Case(
        When(phase__in=OPEN_PHASES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Enrollment.objects.order_by(is_open, "-referred_at", "-pk")


def current_enrollment(client: Client) -> Enrollment | None:
    return current_enrollments().filter(client=client).select_related("program", "track").first()


def may_move_phase(user: User, client: Client) -> bool:
    """The program's directors and the clinicians on the client's care team (not
    facilitators). Also who may assign the client's track."""
    if not user.is_active:
        return False
    if user.role == Role.DIRECTOR:
        return ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists()
    if user.role == Role.CLINICIAN:
        return CareTeamMember.objects.filter(
            client=client, user=user, role__in=PHASE_MOVER_SEATS
        ).exists()
    return False


def client_for_phase_change(user: User, client_id: int) -> Client:
    """The client whose phase or track `user` is about to change.

    Http404 for a client the user may not see (as for a missing id: roles that see no
    records at all included), PermissionDenied for one they see but may not move.
    """
    client = get_client_for_user(user, client_id)
    if not may_move_phase(user, client):
        raise PermissionDenied(NOT_ALLOWED_PHASES)
    return client


def enrollment_for_phase_change(user: User, enrollment_id: int) -> Enrollment:
    """Like `client_for_phase_change`, found by the enrollment's id (the API's route)."""
    enrollment = (
        Enrollment.objects.filter(pk=enrollment_id, client__in=clients_visible_to(user))
        .select_related("client", "program", "track")
        .first()
    )
    if enrollment is None:
        raise Http404("No such enrollment.")
    if not may_move_phase(user, enrollment.client):
        raise PermissionDenied(NOT_ALLOWED_PHASES)
    return enrollment


def next_phases(enrollment: Enrollment) -> list[tuple[str, str]]:
    """The phases this enrollment may move to, as (value, label) in the phases' own order."""
    allowed = ALLOWED_TRANSITIONS[enrollment.phase]
    return [(value, label) for value, label in Phase.choices if value in allowed]


def care_team_of(client: Client) -> QuerySet[CareTeamMember]:
    seat_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(CareTeamRole.values)),
        output_field=IntegerField(),
    )
    return (
        CareTeamMember.objects.filter(client=client)
        .select_related("user")
        .order_by(seat_order, "user__display_name", "pk")
    )


def primary_clinician(client_id: int) -> User | None:
    """The client's primary clinician, if they have one and the account is active."""
    seat = (
        CareTeamMember.objects.filter(client_id=client_id, role=CareTeamRole.PRIMARY)
        .select_related("user")
        .first()
    )
    return seat.user if seat and seat.user.is_active else None


def care_team_candidates(client: Client) -> QuerySet[User]:
    """Staff of the client's program who could join the care team and are not on it yet."""
    return (
        User.objects.filter(
            program_memberships__program_id=client.program_id,
            role__in=[Role.CLINICIAN, Role.FACILITATOR],
            is_active=True,
        )
        # Members already on the team stay listed (but not the primary): choosing one for a
        # new seat moves them to it, so a director can make the intake clinician primary.
        .exclude(
            pk__in=CareTeamMember.objects.filter(client=client, role=CareTeamRole.PRIMARY).values(
                "user_id"
            )
        )
        .order_by("display_name", "email")
    )


def programs_directed_by(user: User) -> QuerySet[Program]:
    if not user.is_authenticated or not user.is_active or user.role != Role.DIRECTOR:
        return Program.objects.none()
    staffed = ProgramStaff.objects.filter(program=OuterRef("pk"), user=user)
    return Program.objects.filter(Exists(staffed))


def get_program_for_director(user: User, slug: str) -> Program:
    """A program `user` directs; Http404 for any other slug."""
    program = programs_directed_by(user).filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    return program


def program_for_setup(user: User, program_id: int) -> Program:
    """The program whose tracks `user` is about to change over the API: site admins any,
    directors their own (Http404 for others); PermissionDenied for every other role."""
    if not user.is_active or user.role not in (Role.DIRECTOR, Role.ADMIN):
        raise PermissionDenied(NOT_ALLOWED_PROGRAMS)
    programs = Program.objects.all() if user.role == Role.ADMIN else programs_directed_by(user)
    program = programs.filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


@dataclass(frozen=True)
class TrackLoad:
    """One track on the board: its places and who fills or waits for them."""

    track: Track
    enrolled: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.track.capacity - self.enrolled, 0)

    @property
    def over(self) -> int:
        return max(self.enrolled - self.track.capacity, 0)


@dataclass(frozen=True)
class ProgramBoard:
    program: Program
    tracks: list[TrackLoad]
    phases: list[tuple[str, str, int]]  # (phase, label, enrollments in it)
    waiting: Sequence[Enrollment]  # the longest-waiting first, at most WAITING_SHOWN
    waiting_total: int
    enrolled_total: int
    capacity_total: int  # places in the active tracks


def program_board(program: Program) -> ProgramBoard:
    """The director's board in three queries, whatever the number of clients: tracks with
    their counts, enrollments counted per phase, and the waiting queue with its joins."""
    tracks = (
        Track.objects.filter(program=program)
        .annotate(
            enrolled=Count("enrollments", filter=Q(enrollments__phase__in=ENROLLED_PHASES)),
            waiting=Count("enrollments", filter=Q(enrollments__phase__in=WAITING_PHASES)),
        )
        .order_by("-is_active", "name")
    )
    loads = [TrackLoad(t, t.enrolled, t.waiting) for t in tracks]  # type: ignore[attr-defined]
    per_phase = dict(
        Enrollment.objects.filter(program=program)
        .order_by()
        .values_list("phase")
        .annotate(n=Count("pk"))
    )
    primary = CareTeamMember.objects.filter(
        client=OuterRef("client_id"), role=CareTeamRole.PRIMARY
    ).annotate(
        name=Coalesce(
            NullIf(F("user__display_name"), Value("")),
            F("user__email"),
            output_field=CharField(),
        )
    )
    waiting = list(
        Enrollment.objects.filter(program=program, phase__in=WAITING_PHASES)
        .select_related("client", "track", "referral")
        .annotate(primary_name=Subquery(primary.values("name")[:1]))
        .order_by("referred_at", "pk")[:WAITING_SHOWN]
    )
    return ProgramBoard(
        program=program,
        tracks=loads,
        phases=[(value, label, per_phase.get(value, 0)) for value, label in Phase.choices],
        waiting=waiting,
        waiting_total=sum(per_phase.get(p, 0) for p in WAITING_PHASES),
        enrolled_total=sum(per_phase.get(p, 0) for p in ENROLLED_PHASES),
        capacity_total=sum(t.track.capacity for t in loads if t.track.is_active),
    )
