"""Treatment plan and homework over the JSON API (read-only): the care team, the program's
directors and the client themself; 404 for everyone else, as for an unknown id."""

from datetime import date, datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from openiop.accounts.api import Detail
from openiop.accounts.models import Role, User
from openiop.care import selectors as sel
from openiop.programs.models import Client
from openiop.programs.selectors import get_client_for_user

router = Router(tags=["care"])


class GoalOut(Schema):
    id: int  # the goal's id across versions (homework links to it)
    statement: str
    plain_words: str
    target_date: date
    objectives: list[str]
    interventions: list[str]
    measures: list[str]
    progress: int | None
    homework_done: int
    homework_counted: int


class PlanOut(Schema):
    version: int
    status: str  # draft, clinician_signed, signed
    clinician_signed_at: datetime | None
    client_signed_at: datetime | None
    review_every_days: int
    review_due_at: datetime | None
    review_overdue: bool
    problems: list[str]
    goals: list[GoalOut]
    versions: list[int]


class HomeworkOut(Schema):
    id: int
    title: str
    kind: str
    goal: int | None
    due_on: date
    due_at: datetime
    status: str  # due, started, overdue, done, reviewed
    submitted_at: datetime | None
    answers: dict | None
    review_comment: str


class HomeworkList(Schema):
    done: int
    counted: int
    completion_percent: int | None
    items: list[HomeworkOut]


def _client(user: User, client_id: int) -> Client:
    """Staff on the team or directing the program, or the client themself; 404 otherwise."""
    if user.role == Role.CLIENT:
        client = get_client_for_user(user, client_id)
        if client.user_id != user.pk:
            raise Http404
        return client
    return sel.client_for_staff(user, client_id)


def _status(version: object) -> str:
    if getattr(version, "is_fully_signed", False):
        return "signed"
    return "clinician_signed" if getattr(version, "is_locked", False) else "draft"


@router.get(
    "/clients/{client_id}/treatment-plan",
    response={200: PlanOut, 401: Detail, 404: Detail},
)
def treatment_plan(request: HttpRequest, client_id: int) -> dict[str, object]:
    """The current enrollment's plan: the latest version for staff, the signed one in force
    for the client; 404 when there is none yet."""
    user: User = request.user  # type: ignore[assignment]
    client = _client(user, client_id)
    now = timezone.now()
    view = sel.plan_view(client, now=now, client_side=user.role == Role.CLIENT)
    if view.shown is None or view.plan is None:
        raise Http404("No treatment plan yet.")
    sel.audit_read(user, client, sel.OBJECT_PLAN, view.shown.pk)
    version = view.shown
    return {
        "version": version.number,
        "status": _status(version),
        "clinician_signed_at": version.clinician_signed_at,
        "client_signed_at": version.client_signed_at,
        "review_every_days": view.plan.review_every_days,
        "review_due_at": view.plan.review_due_at,
        "review_overdue": view.plan.review_overdue(now),
        "problems": version.problems,
        "goals": [
            {
                "id": row.goal.lineage_id,
                "statement": row.goal.statement,
                "plain_words": row.goal.plain_words,
                "target_date": row.goal.target_date,
                "objectives": row.goal.objectives,
                "interventions": row.goal.interventions,
                "measures": row.goal.measures,
                "progress": row.rating,
                "homework_done": row.done,
                "homework_counted": row.counted,
            }
            for row in view.goals
        ],
        "versions": [v.number for v in view.versions if user.role != Role.CLIENT or v.is_locked],
    }


@router.get(
    "/clients/{client_id}/homework",
    response={200: HomeworkList, 401: Detail, 404: Detail},
)
def homework(request: HttpRequest, client_id: int) -> dict[str, object]:
    """Every homework occurrence, by due date, with the completion rate so far."""
    user: User = request.user  # type: ignore[assignment]
    client = _client(user, client_id)
    now = timezone.now()
    items = list(sel.homework_for(client)[:500])
    sel.audit_read(user, client, sel.OBJECT_HOMEWORK, "list")
    pair = sel.completion_by_client([client.pk], now).get(client.pk, (0, 0))
    return {
        "done": pair[0],
        "counted": pair[1],
        "completion_percent": sel.percent(pair),
        "items": [
            {
                "id": o.pk,
                "title": o.assignment.title,
                "kind": o.assignment.kind,
                "goal": o.assignment.goal_id,
                "due_on": o.due_on,
                "due_at": o.due_at.astimezone(sel.ZoneInfo(client.time_zone)),
                "status": o.status(now),
                "submitted_at": o.submitted_at,
                "answers": o.answers if o.submitted_at else None,
                "review_comment": o.review_comment,
            }
            for o in items
        ],
    }
