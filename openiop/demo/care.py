"""Demo treatment plan and homework (fictional): Sam's plan, signed by Dana (their clinician)
and by Sam, with three goals; homework handed in and commented on, one due, one overdue.

Goes through the services (so it is audited) and then moves two due dates into the past,
as a clinician cannot assign homework due yesterday. Does nothing when Sam already has a
plan for the current enrollment.
"""

from datetime import date, timedelta

from openiop.accounts.models import User
from openiop.care.library import BUILTIN_BY_KEY
from openiop.care.models import Goal, Occurrence, TreatmentPlan
from openiop.care.selectors import end_of_day, today_in
from openiop.care.services import (
    GoalInput,
    goal_progress_record,
    homework_assign,
    homework_review,
    homework_save,
    plan_draft_save,
    plan_sign_client,
    plan_sign_clinician,
    plan_start,
)
from openiop.programs.models import OPEN_PHASES, Client
from openiop.programs.selectors import current_enrollment

CLIENT = "sam@demo.openiop.test"
CLINICIAN = "clinician@demo.openiop.test"
PROBLEMS = [
    "Low mood most days for three months (demo text)",
    "Pulling away from friends and family",
    "Sleep is broken; wakes at 4 am",
]
GOALS = [
    # clinical wording, the client's words, weeks to target, objectives, measures, rating
    (
        "PHQ-9 below 10 on two checks in a row",
        "Feel less low on most days",
        8,
        ["Complete the mood check-in each week", "Plan one enjoyable activity a day"],
        ["phq9"],
        4,
    ),
    (
        "Contact a friend or family member at least 3 times a week",
        "See or call people I care about",
        6,
        ["List five people to reach out to", "One call or visit on three days a week"],
        [],
        6,
    ),
    (
        "Use a grounding skill when worry rises, 4 of 7 days",
        "Calm my body when worry builds",
        6,
        ["Practise slow breathing daily", "Note the worry level before and after"],
        ["gad7"],
        3,
    ),
]


def seed_care() -> None:
    """Idempotent: safe to run again."""
    client = Client.objects.filter(user__email=CLIENT).select_related("user").first()
    clinician = User.objects.filter(email=CLINICIAN).first()
    if client is None or clinician is None:
        return
    enrollment = current_enrollment(client)
    if enrollment is None or enrollment.phase not in OPEN_PHASES:
        return
    if TreatmentPlan.objects.filter(enrollment=enrollment).exists():
        return
    today = today_in(client.time_zone)
    version = plan_start(client=client, actor=clinician)
    plan_draft_save(
        version=version,
        actor=clinician,
        problems=PROBLEMS,
        goals=[
            GoalInput(
                statement=statement,
                plain_words=words,
                target_date=today + timedelta(weeks=weeks),
                objectives=objectives,
                interventions=["Behavioural activation", "Skills group practice"],
                measures=measures,
            )
            for statement, words, weeks, objectives, measures, _rating in GOALS
        ],
        review_every_days=30,
    )
    plan_sign_clinician(version=version, actor=clinician)
    plan_sign_client(version=version, client=client, typed_name="Sam Sample-Person")
    goals = list(Goal.objects.filter(version=version).order_by("order"))
    for goal, (*_rest, rating) in zip(goals, GOALS, strict=True):
        goal_progress_record(goal=goal, actor=clinician, rating=rating)

    def give(key: str, goal: Goal, note: str = "", days: int = 0) -> Occurrence:
        assignment = homework_assign(
            client=client,
            actor=clinician,
            exercise=BUILTIN_BY_KEY[key],
            due_on=today + timedelta(days=days),
            goal=goal,
            note=note,
        )
        return assignment.occurrences.get()

    done = give("builtin:grounding", goals[2])
    _move(done, today - timedelta(days=3))
    homework_save(
        occurrence=done,
        actor=client.user,
        answers={"which": "Slow breathing", "before": 7, "after": 4, "note": "Easier at night"},
        submit=True,
    )
    homework_review(
        occurrence=done,
        actor=clinician,
        comment="Seven to four is a real drop. Try it before bed again this week.",
    )
    overdue = give("builtin:thought_record", goals[0])
    _move(overdue, today - timedelta(days=1))
    give("builtin:behavioral_activation", goals[1], note="Something small: a walk counts.")
    give("builtin:diary_card", goals[0], note="Fill it in each evening.", days=2)


def _move(occurrence: Occurrence, day: date) -> None:
    """Demo only: set a due date the assign form would refuse (the past)."""
    zone = occurrence.client.time_zone
    Occurrence.objects.filter(pk=occurrence.pk).update(due_on=day, due_at=end_of_day(day, zone))
    occurrence.refresh_from_db()
    if occurrence.assignment.first_due_on != day:
        occurrence.assignment.first_due_on = day
        occurrence.assignment.save(update_fields=["first_due_on"])
