"""Who may see and change plans and homework, and the reads the pages show.

Reading: the client themself, their care team and their program's directors (everyone else
gets 404, as for an id that does not exist). Writing a plan, assigning and reviewing
homework: a clinician on the client's care team ("on their caseload"). Directors and
clinicians add library items for their programs.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.care.models import (
    Goal,
    GoalProgress,
    Occurrence,
    PlanVersion,
    TreatmentPlan,
)
from openiop.measures.models import Instrument, Response
from openiop.programs.models import CareTeamMember, Client, Enrollment, ProgramStaff
from openiop.programs.selectors import (
    current_enrollment,
    get_client_for_user,
    on_team_or_directs,
)

OBJECT_PLAN = "treatment_plan"
OBJECT_HOMEWORK = "homework"


def end_of_day(day: date, zone: str) -> datetime:
    """The instant ``day`` ends in ``zone`` (midnight after it), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


def today_in(zone: str, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), ZoneInfo(zone))


# Permissions ---------------------------------------------------------------------------------


def may_write_care(user: User, client: Client) -> bool:
    """A clinician with a seat on the client's care team."""
    return (
        user.is_active
        and user.role == Role.CLINICIAN
        and CareTeamMember.objects.filter(client=client, user=user).exists()
    )


def may_curate_library(user: User, program_id: int) -> bool:
    return (
        user.is_active
        and user.role in (Role.DIRECTOR, Role.CLINICIAN)
        and ProgramStaff.objects.filter(program_id=program_id, user=user).exists()
    )


def client_for_staff(user: User, client_id: int) -> Client:
    """The client if ``user`` is on their care team or directs their program; Http404 else."""
    client = get_client_for_user(user, client_id)
    if not on_team_or_directs(user, client):
        raise Http404("No such client.")
    return client


def client_for_writer(user: User, client_id: int) -> Client:
    """The client if ``user`` is a clinician on their care team; Http404 for everyone else
    (a director or facilitator who may read the plan cannot change it)."""
    client = client_for_staff(user, client_id)
    if not may_write_care(user, client):
        raise Http404("No such client.")
    return client


def own_client(user: User) -> Client:
    """The signed-in client's own record; Http404 for staff and family."""
    if user.role != Role.CLIENT:
        raise Http404
    client = Client.objects.select_related("program").filter(user=user).first()
    if client is None:
        raise Http404
    return client


def audit_read(user: User, client: Client, object_type: str, object_id: object) -> None:
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type=object_type,
        object_id=object_id,
        client_id=client.pk,
    )


# Plans ---------------------------------------------------------------------------------------


@dataclass
class GoalRow:
    """A goal as the pages show it: its latest progress rating and homework figures."""

    goal: Goal
    rating: int | None = None
    done: int = 0
    counted: int = 0
    scores: list[tuple[str, int, datetime]] = field(default_factory=list)  # code, total, when

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.counted) if self.counted else None


@dataclass
class PlanView:
    """One client's plan for their current enrollment: every version, the one shown."""

    client: Client
    enrollment: Enrollment | None
    plan: TreatmentPlan | None
    versions: list[PlanVersion]
    shown: PlanVersion | None
    goals: list[GoalRow]

    @property
    def latest(self) -> PlanVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def in_force(self) -> PlanVersion | None:
        """The latest version the clinician has signed: what the client reads."""
        return next((v for v in self.versions if v.is_locked), None)


def plan_versions(plan: TreatmentPlan) -> list[PlanVersion]:
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("plan", "clinician_signed_by", "created_by")
        .order_by("-number")
    )


def latest_scores(client_id: int, codes: Iterable[str]) -> dict[str, tuple[int, datetime]]:
    """{instrument code: (latest total, when)} for the client, in one query (none without
    codes). Scores are for the clinician to read; nothing here interprets them."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    latest = Response.objects.filter(
        client_id=client_id, instrument_id=OuterRef("pk"), total__isnull=False
    ).order_by("-submitted_at", "-pk")
    rows = (
        Instrument.objects.filter(code__in=codes)
        .annotate(
            latest_total=Subquery(latest.values("total")[:1]),
            latest_at=Subquery(latest.values("submitted_at")[:1]),
        )
        .values_list("code", "latest_total", "latest_at")
    )
    return {code: (total, at) for code, total, at in rows if total is not None}


def goal_rows(
    version: PlanVersion | None, now: datetime, *, with_scores: bool = False
) -> list[GoalRow]:
    """The version's goals with the latest rating and homework done/counted per goal (two
    queries whatever the number of goals), and with ``with_scores`` the latest total of each
    instrument that tracks them (one more)."""
    if version is None:
        return []
    latest = GoalProgress.objects.filter(goal_id=OuterRef("lineage")).order_by(
        "-recorded_at", "-pk"
    )
    goals = list(
        Goal.objects.filter(version=version)
        .annotate(lineage=Coalesce("origin_id", "pk"))
        .annotate(rating=Subquery(latest.values("rating")[:1]))
        .order_by("order", "pk")
    )
    rates = completion_by_goal([g.lineage_id for g in goals], now)
    scores = (
        latest_scores(version.plan.client_id, (c for g in goals for c in g.measures))
        if with_scores
        else {}
    )
    rows = []
    for goal in goals:
        done, counted = rates.get(goal.lineage_id, (0, 0))
        row = GoalRow(goal, goal.rating, done, counted)  # type: ignore[attr-defined]
        row.scores = [(code, *scores[code]) for code in goal.measures if code in scores]
        rows.append(row)
    return rows


def plan_view(
    client: Client, *, now: datetime, client_side: bool = False, with_scores: bool = False
) -> PlanView:
    """The plan page's data in a fixed number of queries (enrollment, plan, versions, goals,
    homework per goal). The client sees the version in force, staff the latest."""
    enrollment = current_enrollment(client)
    plan = (
        TreatmentPlan.objects.filter(enrollment=enrollment).first()
        if enrollment is not None
        else None
    )
    versions = plan_versions(plan) if plan is not None else []
    view = PlanView(client, enrollment, plan, versions, None, [])
    view.shown = view.in_force if client_side else view.latest
    view.goals = goal_rows(view.shown, now, with_scores=with_scores)
    return view


def version_for(plan: TreatmentPlan, number: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan=plan, number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


# Homework ------------------------------------------------------------------------------------


def _counted(now: datetime) -> Q:
    """Occurrences that count toward a completion rate: handed in, or due by now and not
    withdrawn."""
    return Q(submitted_at__isnull=False) | Q(due_at__lte=now, withdrawn_at__isnull=True)


# Withdrawn before it was handed in: gone from the client's side.
LIVE = Q(withdrawn_at__isnull=True) | Q(submitted_at__isnull=False)


def completion_by_goal(lineage_ids: Iterable[int], now: datetime) -> dict[int, tuple[int, int]]:
    """{goal lineage id: (done, counted)} in one query."""
    return _completion("assignment__goal_id", lineage_ids, now)


def completion_by_client(client_ids: Iterable[int], now: datetime) -> dict[int, tuple[int, int]]:
    """{client id: (done, counted)} in one query."""
    return _completion("client_id", client_ids, now)


def _completion(key: str, ids: Iterable[int], now: datetime) -> dict[int, tuple[int, int]]:
    rows = (
        Occurrence.objects.filter(_counted(now), **{f"{key}__in": list(ids)})
        .order_by()
        .values(key)
        .annotate(
            done=Count("pk", filter=Q(submitted_at__isnull=False)),
            counted=Count("pk"),
        )
    )
    return {row[key]: (row["done"], row["counted"]) for row in rows}


def percent(pair: tuple[int, int]) -> int | None:
    done, counted = pair
    return round(100 * done / counted) if counted else None


def homework_for(client: Client, *, include_withdrawn: bool = False) -> QuerySet[Occurrence]:
    """The client's homework; withdrawn items only for the care team's history."""
    occurrences = Occurrence.objects.filter(client=client)
    if not include_withdrawn:
        occurrences = occurrences.filter(LIVE)
    return occurrences.select_related("assignment", "reviewed_by").order_by("due_at", "pk")


def open_homework(client: Client, now: datetime, *, limit: int = 20) -> list[Occurrence]:
    """What the client still has to do (overdue first, then by due date)."""
    return list(homework_for(client).filter(submitted_at__isnull=True)[:limit])


def occurrence_for_client(user: User, occurrence_id: int) -> Occurrence:
    """The signed-in client's own homework; Http404 for anyone else's."""
    occurrence = (
        Occurrence.objects.select_related("assignment", "client__program", "reviewed_by")
        .filter(LIVE, pk=occurrence_id, client__user=user)
        .first()
    )
    if occurrence is None or user.role != Role.CLIENT:
        raise Http404("No such homework.")
    return occurrence


def occurrence_for_staff(user: User, client: Client, occurrence_id: int) -> Occurrence:
    occurrence = (
        Occurrence.objects.select_related("assignment", "reviewed_by")
        .filter(pk=occurrence_id, client=client)
        .first()
    )
    if occurrence is None:
        raise Http404("No such homework.")
    return occurrence


def goals_in_force(client: Client) -> list[Goal]:
    """Goals of the latest signed version of the client's current plan (to link homework)."""
    enrollment = current_enrollment(client)
    if enrollment is None:
        return []
    version = (
        PlanVersion.objects.filter(plan__enrollment=enrollment, clinician_signed_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        return []
    return list(Goal.objects.filter(version=version).order_by("order", "pk"))


def day_of(deadline: datetime | None, zone: str) -> date | None:
    """The last day before ``deadline`` (an end-of-day instant) in ``zone``."""
    if deadline is None:
        return None
    return timezone.localdate(deadline - timedelta(seconds=1), ZoneInfo(zone))
