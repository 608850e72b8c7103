"""Every write about plans and homework: one transaction each, with its audit event.

Refusals raise before anything is written: ``ValidationError`` for bad input (a due date in
the past, a plan with no goal), ``CareRefused`` for a state that forbids the change (editing
a signed version, submitting homework twice): the pages show the message, the API answers
409.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.care import reminders
from openiop.care.library import ExerciseDef
from openiop.care.models import (
    Assignment,
    Exercise,
    Goal,
    GoalProgress,
    Occurrence,
    PlanReview,
    PlanVersion,
    Repeat,
    TreatmentPlan,
)
from openiop.care.selectors import (
    OBJECT_HOMEWORK,
    OBJECT_PLAN,
    end_of_day,
    may_curate_library,
    may_write_care,
    today_in,
)
from openiop.programs.models import OPEN_PHASES, Client, Enrollment, Program
from openiop.programs.selectors import current_enrollment

MAX_GOALS = 12
MAX_LINES = 20  # objectives, interventions, problems
LINE_LIMIT = 300
MAX_OCCURRENCES = 60
MAX_REPEAT_DAYS = 120
ANSWER_LIMIT = 5000
DOUBLE_TAP = timedelta(seconds=10)

LOCKED = "This version is signed and read-only. Start a new version to make changes."
NO_GOALS = "A plan needs at least one goal before it can be signed."
PAST_DUE = "The due date is in the past. Choose today or a later day."


class CareRefused(Exception):
    """The change is not allowed in the current state; nothing was written (API: 409)."""


@dataclass
class GoalInput:
    """One goal as the edit form sends it; ``goal_id`` names a row of the same draft."""

    statement: str
    plain_words: str
    target_date: date
    objectives: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    goal_id: int | None = None


def _lines(values: list[str]) -> list[str]:
    cleaned = [v.strip()[:LINE_LIMIT] for v in values if v and v.strip()]
    if len(cleaned) > MAX_LINES:
        raise ValidationError(f"At most {MAX_LINES} lines in a list.")
    return cleaned


def _require_writer(actor: User, client: Client) -> None:
    if not may_write_care(actor, client):
        raise PermissionDenied("Only a clinician on the client's care team can do this.")


def _open_enrollment(client: Client) -> Enrollment:
    enrollment = current_enrollment(client)
    if enrollment is None or enrollment.phase not in OPEN_PHASES:
        raise CareRefused(
            "This client has no open enrollment; a treatment plan belongs to an open one."
        )
    return enrollment


def _audit(
    actor: User | None, action: str, object_type: str, object_id: object, client_id: int | None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
    )


# Plans ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_start(*, client: Client, actor: User) -> PlanVersion:
    """The draft to edit: the current plan's draft, a new draft copying the latest signed
    version, or version 1 of a new plan for the open enrollment."""
    _require_writer(actor, client)
    enrollment = Enrollment.objects.select_for_update().get(pk=_open_enrollment(client).pk)
    plan = TreatmentPlan.objects.filter(enrollment=enrollment).first()
    if plan is None:
        plan = TreatmentPlan.objects.create(enrollment=enrollment, client=client)
        version = PlanVersion.objects.create(plan=plan, number=1, created_by=actor)
        _audit(actor, Action.CREATE, OBJECT_PLAN, version.pk, client.pk)
        return version
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    if latest is not None and not latest.is_locked:
        return latest
    return _copy_version(plan, latest, actor)


def _copy_version(plan: TreatmentPlan, source: PlanVersion | None, actor: User) -> PlanVersion:
    number = (source.number + 1) if source else 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        problems=list(source.problems) if source else [],
        created_by=actor,
    )
    if source is not None:
        Goal.objects.bulk_create(
            Goal(
                version=version,
                origin_id=goal.lineage_id,
                order=goal.order,
                statement=goal.statement,
                plain_words=goal.plain_words,
                target_date=goal.target_date,
                objectives=goal.objectives,
                interventions=goal.interventions,
                measures=goal.measures,
            )
            for goal in Goal.objects.filter(version=source).order_by("order", "pk")
        )
    _audit(actor, Action.CREATE, OBJECT_PLAN, version.pk, plan.client_id)
    return version


@transaction.atomic
def plan_draft_save(
    *,
    version: PlanVersion,
    actor: User,
    problems: list[str],
    goals: list[GoalInput],
    review_every_days: int,
) -> PlanVersion:
    """Replace the draft's problems and goals (rows of the same draft are updated in place,
    so a goal keeps its id). Refuses a signed version: nothing is written."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    plan = version.plan
    client = Client.objects.get(pk=plan.client_id)
    _require_writer(actor, client)
    if version.is_locked:
        raise CareRefused(LOCKED)
    if len(goals) > MAX_GOALS:
        raise ValidationError(f"At most {MAX_GOALS} goals.")
    if not 7 <= review_every_days <= 180:
        raise ValidationError("Review the plan every 7 to 180 days.")
    existing = {g.pk: g for g in Goal.objects.filter(version=version)}
    kept: set[int] = set()
    for order, data in enumerate(goals):
        goal = existing.get(data.goal_id) if data.goal_id else None
        if data.goal_id and goal is None:
            raise ValidationError("A goal in the form is not part of this draft; reload it.")
        goal = goal or Goal(version=version)
        goal.order = order
        goal.statement = data.statement.strip()[:500]
        goal.plain_words = data.plain_words.strip()[:300]
        goal.target_date = data.target_date
        goal.objectives = _lines(data.objectives)
        goal.interventions = _lines(data.interventions)
        goal.measures = sorted(set(data.measures))
        goal.save()
        kept.add(goal.pk)
    Goal.objects.filter(version=version).exclude(pk__in=kept).delete()
    version.problems = _lines(problems)
    version.updated_at = timezone.now()
    version.save(update_fields=["problems", "updated_at"])
    if plan.review_every_days != review_every_days:
        plan.review_every_days = review_every_days
        plan.save(update_fields=["review_every_days"])
    _audit(actor, Action.UPDATE, OBJECT_PLAN, version.pk, client.pk)
    return version


def _next_review(plan: TreatmentPlan, program: Program, now: datetime) -> datetime:
    due_day = today_in(program.time_zone, now) + timedelta(days=plan.review_every_days)
    return end_of_day(due_day, program.time_zone)


@transaction.atomic
def plan_sign_clinician(*, version: PlanVersion, actor: User) -> PlanVersion:
    """Lock the draft with the clinician's signature and set the next review date."""
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    plan = TreatmentPlan.objects.select_related("client__program").get(pk=version.plan_id)
    _require_writer(actor, plan.client)
    if version.is_locked:
        raise CareRefused("This version is already signed.")
    if not Goal.objects.filter(version=version).exists():
        raise ValidationError(NO_GOALS)
    now = timezone.now()
    version.clinician_signed_by = actor
    version.clinician_signed_at = now
    version.save(update_fields=["clinician_signed_by", "clinician_signed_at"])
    plan.review_due_at = _next_review(plan, plan.client.program, now)
    plan.save(update_fields=["review_due_at"])
    _audit(actor, Action.UPDATE, OBJECT_PLAN, version.pk, plan.client_id)
    return version


@transaction.atomic
def plan_sign_client(*, version: PlanVersion, client: Client, typed_name: str) -> PlanVersion:
    """The client signs the version in force by typing their name."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    if version.plan.client_id != client.pk:
        raise PermissionDenied("Not this client's plan.")
    name = " ".join(typed_name.split())[:200]
    if not name:
        raise ValidationError("Type your name to sign.")
    if not version.is_locked:
        raise CareRefused("Your clinician has not finished this plan yet.")
    if version.client_signed_at is not None:
        raise CareRefused("You have already signed this plan.")
    newer = PlanVersion.objects.filter(
        plan_id=version.plan_id, number__gt=version.number, clinician_signed_at__isnull=False
    )
    if newer.exists():
        raise CareRefused("There is a newer version of your plan; sign that one.")
    version.client_signed_name = name
    version.client_signed_at = timezone.now()
    version.save(update_fields=["client_signed_name", "client_signed_at"])
    _audit(client.user, Action.UPDATE, OBJECT_PLAN, version.pk, client.pk)
    return version


@transaction.atomic
def plan_review_record(*, plan: TreatmentPlan, actor: User) -> PlanReview:
    """The clinician reviewed the plan in force: the next review is due a period later."""
    plan = (
        TreatmentPlan.objects.select_for_update().select_related("client__program").get(pk=plan.pk)
    )
    _require_writer(actor, plan.client)
    version = (
        PlanVersion.objects.filter(plan=plan, clinician_signed_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise CareRefused("Sign the plan before recording a review.")
    now = timezone.now()
    review = PlanReview.objects.create(
        plan=plan, version=version, reviewed_by=actor, reviewed_at=now
    )
    plan.last_reviewed_at = now
    plan.review_due_at = _next_review(plan, plan.client.program, now)
    plan.save(update_fields=["last_reviewed_at", "review_due_at"])
    _audit(actor, Action.UPDATE, OBJECT_PLAN, version.pk, plan.client_id)
    return review


@transaction.atomic
def goal_progress_record(*, goal: Goal, actor: User, rating: int) -> GoalProgress:
    """A progress rating (0–10) on a goal of the signed plan, kept on the goal's first row."""
    goal = Goal.objects.select_related("version__plan__client").get(pk=goal.pk)
    client = goal.version.plan.client
    _require_writer(actor, client)
    if not goal.version.is_locked:
        raise CareRefused("Rate progress on the signed plan, not on a draft.")
    if not 0 <= rating <= 10:
        raise ValidationError("Progress is a number from 0 to 10.")
    progress = GoalProgress.objects.create(
        goal_id=goal.lineage_id, rating=rating, recorded_by=actor
    )
    _audit(actor, Action.UPDATE, OBJECT_PLAN, goal.version_id, client.pk)
    return progress


# Library -------------------------------------------------------------------------------------


@transaction.atomic
def exercise_add(
    *,
    program: Program,
    actor: User,
    kind: str,
    title: str,
    instructions: str,
    fields: list[dict[str, Any]],
    link: str = "",
) -> Exercise:
    """A program's own library item (no client data: not in the audit trail's client view)."""
    title = " ".join(title.split())[:120]
    if not title:
        raise ValidationError("Give the exercise a title.")
    if Exercise.objects.filter(program=program, title__iexact=title).exists():
        raise ValidationError("The library already has an exercise with that title.")
    exercise = Exercise.objects.create(
        program=program,
        kind=kind,
        title=title,
        instructions=instructions.strip()[:4000],
        fields=fields,
        link=link,
        created_by=actor,
    )
    _audit(actor, Action.CREATE, "exercise", exercise.pk, None)
    return exercise


@transaction.atomic
def exercise_retire(*, exercise: Exercise, actor: User) -> None:
    """Take a program's own item out of the library: it can no longer be assigned; clients
    who have it keep it, and what they handed in stays. Its program's directors and
    clinicians only."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if not may_curate_library(actor, exercise.program_id):
        raise PermissionDenied("Not a library of your program.")
    if not exercise.is_active:
        raise CareRefused("That exercise is already out of the library.")
    exercise.is_active = False
    exercise.save(update_fields=["is_active"])
    _audit(actor, Action.UPDATE, "exercise", exercise.pk, None)


# Homework ------------------------------------------------------------------------------------


def due_days(first: date, repeat: str, until: date | None) -> list[date]:
    """The due dates of an assignment: one, or every day/week from ``first`` to ``until``."""
    if repeat == Repeat.NONE:
        return [first]
    if until is None:
        raise ValidationError({"until_on": "Choose the last day for a repeating exercise."})
    if until < first:
        raise ValidationError({"until_on": "The last day is before the first due date."})
    if (until - first).days > MAX_REPEAT_DAYS:
        raise ValidationError({"until_on": f"Repeat for at most {MAX_REPEAT_DAYS} days."})
    step = timedelta(days=1 if repeat == Repeat.DAILY else 7)
    days, day = [], first
    while day <= until:
        days.append(day)
        day += step
    return days[:MAX_OCCURRENCES]


@transaction.atomic
def homework_assign(
    *,
    client: Client,
    actor: User,
    exercise: ExerciseDef,
    due_on: date,
    repeat: str = Repeat.NONE,
    until_on: date | None = None,
    goal: Goal | None = None,
    note: str = "",
) -> Assignment:
    """Give the client an exercise, due on ``due_on`` (the client's calendar) and repeated
    daily or weekly up to ``until_on``; one occurrence per due date, each with a reminder."""
    _require_writer(actor, client)
    if repeat not in Repeat.values:
        raise ValidationError({"repeat": "Choose once, every day or every week."})
    if due_on < today_in(client.time_zone):
        raise ValidationError({"due_on": PAST_DUE})
    days = due_days(due_on, repeat, until_on if repeat != Repeat.NONE else None)
    if goal is not None:
        goal = Goal.objects.select_related("version__plan").get(pk=goal.pk)
        if goal.version.plan.client_id != client.pk or not goal.version.is_locked:
            raise ValidationError({"goal": "Choose a goal of this client's signed plan."})
    # A double tap on Assign (same exercise, same first day, a few seconds apart) gives the
    # first assignment back instead of a second copy of every occurrence.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    twin = Assignment.objects.filter(
        client=client,
        assigned_by=actor,
        exercise_key=exercise.key,
        first_due_on=due_on,
        repeat=repeat,
        assigned_at__gte=timezone.now() - DOUBLE_TAP,
    ).first()
    if twin is not None:
        return twin
    assignment = Assignment.objects.create(
        client=client,
        goal_id=goal.lineage_id if goal else None,
        exercise_key=exercise.key,
        kind=exercise.kind,
        title=exercise.title,
        instructions=exercise.instructions,
        fields=exercise.fields,
        link=exercise.link,
        note=note.strip()[:500],
        repeat=repeat,
        first_due_on=due_on,
        until_on=days[-1] if repeat != Repeat.NONE else None,
        assigned_by=actor,
    )
    occurrences = Occurrence.objects.bulk_create(
        Occurrence(
            assignment=assignment,
            client=client,
            due_on=day,
            due_at=end_of_day(day, client.time_zone),
        )
        for day in days
    )
    _audit(actor, Action.CREATE, OBJECT_HOMEWORK, assignment.pk, client.pk)
    for occurrence in occurrences:
        reminders.schedule_due(occurrence, client)
    return assignment


WITHDRAWN = "Your clinician took this exercise off your list; there is nothing to hand in."


@transaction.atomic
def homework_withdraw(*, assignment: Assignment, actor: User) -> int:
    """Take an exercise off the client's list (assigned by mistake, no longer useful): every
    time not yet handed in is withdrawn with its reminder and stops counting toward
    completion; what was handed in stays. The client's clinicians only. Returns how many
    were withdrawn; CareRefused when nothing is left to withdraw."""
    assignment = (
        Assignment.objects.select_for_update().select_related("client").get(pk=assignment.pk)
    )
    if not may_write_care(actor, assignment.client):
        raise PermissionDenied("Not on this client's care team.")
    pending = list(
        Occurrence.objects.select_for_update().filter(
            assignment=assignment, submitted_at__isnull=True, withdrawn_at__isnull=True
        )
    )
    if not pending:
        raise CareRefused("Nothing to withdraw: every time of this exercise was handed in.")
    Occurrence.objects.filter(pk__in=[o.pk for o in pending]).update(withdrawn_at=timezone.now())
    for occurrence in pending:
        reminders.withdraw_due(occurrence)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type=OBJECT_HOMEWORK,
        object_id=assignment.pk,
        client_id=assignment.client_id,
        reason="withdrawn",
    )
    return len(pending)


@transaction.atomic
def homework_save(
    *, occurrence: Occurrence, actor: User, answers: dict[str, Any], submit: bool = False
) -> Occurrence:
    """The client's answers, as a draft (autosave, Save draft) or handed in (``submit``).
    Handed-in homework is read-only."""
    occurrence = (
        Occurrence.objects.select_for_update().select_related("client").get(pk=occurrence.pk)
    )
    if occurrence.client.user_id != actor.pk:
        raise PermissionDenied("Not your homework.")
    if occurrence.submitted_at is not None:
        raise CareRefused("You have already handed this in; it can no longer be changed.")
    if occurrence.withdrawn_at is not None:
        raise CareRefused(WITHDRAWN)
    now = timezone.now()
    occurrence.answers = answers
    occurrence.saved_at = now
    fields = ["answers", "saved_at"]
    if submit:
        occurrence.submitted_at = now
        fields.append("submitted_at")
    occurrence.save(update_fields=fields)
    _audit(actor, Action.UPDATE, OBJECT_HOMEWORK, occurrence.pk, occurrence.client_id)
    if submit:
        reminders.withdraw_due(occurrence)
    return occurrence


@transaction.atomic
def homework_review(*, occurrence: Occurrence, actor: User, comment: str) -> Occurrence:
    """The clinician's comment on handed-in homework; the client reads it."""
    occurrence = (
        Occurrence.objects.select_for_update().select_related("client").get(pk=occurrence.pk)
    )
    _require_writer(actor, occurrence.client)
    if occurrence.submitted_at is None:
        raise CareRefused("This homework has not been handed in yet.")
    text = comment.strip()[:4000]
    if not text:
        raise ValidationError({"comment": "Write a comment for the client."})
    occurrence.review_comment = text
    occurrence.reviewed_by = actor
    occurrence.reviewed_at = timezone.now()
    occurrence.save(update_fields=["review_comment", "reviewed_by", "reviewed_at"])
    _audit(actor, Action.UPDATE, OBJECT_HOMEWORK, occurrence.pk, occurrence.client_id)
    return occurrence
