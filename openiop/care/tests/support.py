"""Helpers for the care tests: an open enrollment, a signed plan, homework due on a day."""

from datetime import date, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.care.library import BUILTIN_BY_KEY
from openiop.care.models import Assignment, Goal, PlanVersion
from openiop.care.services import (
    GoalInput,
    homework_assign,
    plan_draft_save,
    plan_sign_clinician,
    plan_start,
)
from openiop.programs.models import Client, Enrollment
from openiop.programs.services import enrollment_open


def enroll(client: Client) -> Enrollment:
    return enrollment_open(client=client, program=client.program, actor=None)


def goal(n: int, **extra: object) -> GoalInput:
    fields: dict = {
        "statement": f"Measurable goal {n}",
        "plain_words": f"My goal {n}",
        "target_date": date(2026, 12, 31),
        "objectives": [f"Objective {n}a", f"Objective {n}b"],
        "interventions": ["Weekly practice review"],
        "measures": ["phq9"],
    }
    fields.update(extra)
    return GoalInput(**fields)


def draft_plan(client: Client, clinician: User, goals: int = 2) -> PlanVersion:
    version = plan_start(client=client, actor=clinician)
    return plan_draft_save(
        version=version,
        actor=clinician,
        problems=["Low mood most days", "Sleep is broken"],
        goals=[goal(n) for n in range(1, goals + 1)],
        review_every_days=30,
    )


def signed_plan(client: Client, clinician: User, goals: int = 2) -> PlanVersion:
    return plan_sign_clinician(version=draft_plan(client, clinician, goals), actor=clinician)


def first_goal(version: PlanVersion) -> Goal:
    return Goal.objects.filter(version=version).order_by("order").first()  # type: ignore[return-value]


def assign(
    client: Client,
    clinician: User,
    *,
    key: str = "builtin:thought_record",
    days: int = 1,
    goal: Goal | None = None,
    repeat: str = "none",
    until_days: int | None = None,
) -> Assignment:
    today = timezone.localdate(timezone.now(), client_zone(client))
    return homework_assign(
        client=client,
        actor=clinician,
        exercise=BUILTIN_BY_KEY[key],
        due_on=today + timedelta(days=days),
        repeat=repeat,
        until_on=today + timedelta(days=until_days) if until_days is not None else None,
        goal=goal,
    )


def client_zone(client: Client):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(client.time_zone)
