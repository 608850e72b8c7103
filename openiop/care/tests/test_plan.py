"""Treatment plans: drafting, signing by both sides, versions kept, refusals write nothing."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.care.models import Goal, PlanVersion, TreatmentPlan
from openiop.care.tests.support import draft_plan, enroll, first_goal, signed_plan
from openiop.conftest import World

pytestmark = pytest.mark.django_db
Login = Callable[[User], HttpClient]


def _goal_post(version: PlanVersion, goals: list[dict], **extra: str) -> dict[str, str]:
    data = {
        "version": str(version.pk),
        "problems": "Low mood\nPoor sleep",
        "review_every_days": "30",
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "12",
    }
    for i, goal in enumerate(goals):
        for key, value in goal.items():
            data[f"goals-{i}-{key}"] = value
    data.update(extra)
    return data


GOAL = {
    "statement": "PHQ-9 below 10 on two checks in a row",
    "plain_words": "Feel less low most days",
    "target_date": "2026-06-30",
    "objectives": "Walk 3 times a week\nBed by 11 pm",
    "interventions": "Behavioural activation",
    "measures": "phq9",
}


def test_plan_signed_by_both_sides_with_version_history(world: World, login_as: Login) -> None:
    enroll(world.alex)
    casey = login_as(world.casey)
    url = f"/clients/{world.alex.pk}/plan/"
    assert casey.post(f"{url}new-version/").status_code == 302
    v1 = PlanVersion.objects.get(plan__client=world.alex)
    response = casey.post(f"{url}edit/", _goal_post(v1, [GOAL], sign="1"))
    assert response.status_code == 302 and response["Location"] == f"{url}sign/"
    assert casey.get(f"{url}sign/").status_code == 200
    assert casey.post(f"{url}sign/").status_code == 302
    v1.refresh_from_db()
    assert v1.is_locked and v1.clinician_signed_by == world.casey

    # The client reads their goal in plain words and signs.
    alex = HttpClient()
    alex.force_login(world.alex.user)
    page = alex.get("/me/plan/").content.decode()
    assert "Feel less low most days" in page and "Sign my plan" in page
    assert "PHQ-9 below 10" not in page  # the clinical wording stays on the staff side
    assert alex.post("/me/plan/", {"typed_name": "Alex Testperson"}).status_code == 302
    v1.refresh_from_db()
    assert v1.is_fully_signed and v1.client_signed_name == "Alex Testperson"
    assert "You signed this plan" in alex.get("/me/plan/").content.decode()

    # Changing the signed plan starts version 2 as a copy; version 1 is kept unchanged.
    assert "Start version 2" in casey.get(f"{url}edit/").content.decode()
    assert casey.post(f"{url}new-version/").status_code == 302
    v2 = PlanVersion.objects.get(plan__client=world.alex, number=2)
    copied = Goal.objects.get(version=v2)
    assert copied.origin == Goal.objects.get(version=v1)
    changed = {**GOAL, "goal_id": str(copied.pk), "plain_words": "Feel better most days"}
    data = _goal_post(v2, [changed])
    data["goals-INITIAL_FORMS"] = "1"
    assert casey.post(f"{url}edit/", data).status_code == 302
    assert casey.post(f"{url}sign/").status_code == 302
    copied.refresh_from_db()
    assert copied.plain_words == "Feel better most days"
    assert Goal.objects.get(version=v1).plain_words == "Feel less low most days"

    history = casey.get(f"{url}history/").content.decode()
    assert "Version 1" in history and "Version 2" in history
    old = casey.get(f"{url}version/?number=1").content.decode()
    assert "read-only" in old and "Feel less low most days" in old
    assert "Edit" not in old

    # The client now sees version 2 and is asked to sign again.
    page = alex.get("/me/plan/").content.decode()
    assert "Feel better most days" in page and "Sign my plan" in page
    reads = AuditEvent.objects.filter(client_id=world.alex.pk, object_type="treatment_plan")
    assert reads.filter(action="read", actor=world.alex.user).exists()
    assert reads.filter(action="read", actor=world.casey).exists()
    assert reads.filter(action="update", actor=world.alex.user).count() == 1


def test_editing_a_signed_version_is_refused_and_writes_nothing(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey)
    casey = login_as(world.casey)
    before = AuditEvent.objects.count()
    response = casey.post(
        f"/clients/{world.alex.pk}/plan/edit/", _goal_post(version, [GOAL], save="1")
    )
    assert response.status_code == 409
    assert "signed and read-only" in response.content.decode()
    assert AuditEvent.objects.count() == before
    assert list(Goal.objects.filter(version=version).values_list("statement", flat=True)) == [
        "Measurable goal 1",
        "Measurable goal 2",
    ]
    assert PlanVersion.objects.filter(plan__client=world.alex).count() == 1


def test_signing_a_plan_without_goals_is_refused(world: World, login_as: Login) -> None:
    enroll(world.alex)
    version = draft_plan(world.alex, world.casey, goals=0)
    casey = login_as(world.casey)
    before = AuditEvent.objects.count()
    response = casey.post(f"/clients/{world.alex.pk}/plan/sign/")
    assert response.status_code == 400
    assert "at least one goal" in response.content.decode()
    version.refresh_from_db()
    assert not version.is_locked
    assert TreatmentPlan.objects.get().review_due_at is None
    # Only the page's own read is recorded; no update.
    assert (
        not AuditEvent.objects.filter(seq__gt=0, action="update").exclude(seq__lte=before).exists()
    )


def test_the_client_cannot_sign_a_draft(world: World) -> None:
    enroll(world.alex)
    draft_plan(world.alex, world.casey)
    alex = HttpClient()
    alex.force_login(world.alex.user)
    page = alex.get("/me/plan/").content.decode()
    assert "not ready yet" in page and "My goal 1" not in page
    alex.post("/me/plan/", {"typed_name": "Alex"})
    assert not PlanVersion.objects.filter(client_signed_at__isnull=False).exists()


def test_director_and_facilitator_read_but_cannot_change(world: World, login_as: Login) -> None:
    enroll(world.alex)
    version = draft_plan(world.alex, world.casey)
    for user in (world.dale, world.fran):
        http = login_as(user)
        assert http.get(f"/clients/{world.alex.pk}/plan/").status_code == 200
        assert http.get(f"/clients/{world.alex.pk}/plan/edit/").status_code == 404
        response = http.post(f"/clients/{world.alex.pk}/plan/edit/", _goal_post(version, [GOAL]))
        assert response.status_code == 404
        assert http.post(f"/clients/{world.alex.pk}/plan/sign/").status_code == 404
        http.logout()
    version.refresh_from_db()
    assert not version.is_locked


def test_review_falls_due_after_thirty_days_and_shows_overdue(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 9:00 in Chicago
    with time_machine.travel(start, tick=False) as clock:
        signed_plan(world.alex, world.casey)
        plan = TreatmentPlan.objects.get()
        # 1 April ends at midnight Chicago time (CDT since 8 March: UTC-5).
        assert plan.review_due_at == datetime(2026, 4, 2, 5, 0, tzinfo=UTC)
        casey = login_as(world.casey)
        assert "Review overdue" not in casey.get(f"/clients/{world.alex.pk}/plan/").content.decode()
        clock.move_to(datetime(2026, 4, 2, 6, 0, tzinfo=UTC))
        casey = login_as(world.casey)
        page = casey.get(f"/clients/{world.alex.pk}/plan/").content.decode()
        assert "Review overdue" in page and "1 April 2026" in page
        assert casey.post(f"/clients/{world.alex.pk}/plan/review/").status_code == 302
        plan.refresh_from_db()
        assert plan.review_due_at == datetime(2026, 5, 3, 5, 0, tzinfo=UTC)
        assert plan.last_reviewed_at == datetime(2026, 4, 2, 6, 0, tzinfo=UTC)


def test_progress_rating_follows_the_goal_into_the_next_version(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    v1 = signed_plan(world.alex, world.casey, goals=1)
    goal = first_goal(v1)
    casey = login_as(world.casey)
    url = f"/clients/{world.alex.pk}/plan/"
    assert casey.post(f"{url}progress/", {"goal": goal.pk, "rating": "6"}).status_code == 302
    assert casey.post(f"{url}progress/", {"goal": goal.pk, "rating": "11"}).status_code == 302
    assert goal.progress_ratings.count() == 1
    casey.post(f"{url}new-version/")
    page = casey.get(url).content.decode()
    assert "6 of 10" in page  # the draft's copied goal shows the same rating
    alex = HttpClient()
    alex.force_login(world.alex.user)
    assert "6 of 10" in alex.get("/me/plan/").content.decode()


def _plan_page_queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_plan_page_query_count_does_not_grow_with_goals_or_homework(
    world: World, login_as: Login
) -> None:
    from openiop.care.tests.support import assign

    enroll(world.alex)
    enroll(world.blair)
    signed_plan(world.alex, world.casey, goals=1)
    signed_plan(world.blair, world.quinn, goals=6)
    for days in range(1, 6):
        assign(
            world.blair,
            world.quinn,
            days=days,
            goal=first_goal(PlanVersion.objects.get(plan__client=world.blair)),
        )
    small = _plan_page_queries(login_as(world.casey), f"/clients/{world.alex.pk}/plan/")
    big = _plan_page_queries(login_as(world.quinn), f"/clients/{world.blair.pk}/plan/")
    assert small == big


def test_plan_page_queries_are_fixed(world: World, login_as: Login) -> None:
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey, goals=3)
    from openiop.care.tests.support import assign

    assign(world.alex, world.casey, days=1, goal=first_goal(version))
    http = login_as(world.casey)
    http.get("/")  # session and MFA state settle
    # session, user, MFA device (3); client, on the team (2); enrollment, plan, versions,
    # goals with ratings, homework per goal, latest scores (6); audit read: savepoint, chain
    # head, insert, release (4); homework list, completion, may write (3); session save:
    # savepoint, update, release (3). PostgreSQL adds the audit chain's advisory lock.
    expected = 21 + (connection.vendor == "postgresql")
    with CaptureQueriesContext(connection) as queries:
        assert http.get(f"/clients/{world.alex.pk}/plan/").status_code == 200
    assert len(queries) == expected, [q["sql"][:80] for q in queries]


def test_a_new_version_copies_goals_with_their_origin(world: World) -> None:
    enroll(world.alex)
    v1 = signed_plan(world.alex, world.casey, goals=2)
    from openiop.care.services import plan_start

    v2 = plan_start(client=world.alex, actor=world.casey)
    assert v2.number == 2 and not v2.is_locked
    assert [g.origin_id for g in Goal.objects.filter(version=v2).order_by("order")] == [
        g.pk for g in Goal.objects.filter(version=v1).order_by("order")
    ]
    assert plan_start(client=world.alex, actor=world.casey) == v2  # the draft is reused
    assert timedelta(0) <= v2.created_at - v1.created_at


def test_goal_shows_the_latest_score_of_the_instrument_tracking_it(
    world: World, login_as: Login
) -> None:
    from openiop.measures.services import response_submit
    from openiop.measures.tests.support import phq9

    enroll(world.alex)
    signed_plan(world.alex, world.casey, goals=1)  # tracked by phq9
    with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC)):
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(14))
    with time_machine.travel(datetime(2026, 3, 9, 15, 0, tzinfo=UTC)):
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(9))
    page = login_as(world.casey).get(f"/clients/{world.alex.pk}/plan/").content.decode()
    assert "Latest scores" in page and "PHQ-9 (mood): 9 (9 Mar 2026)" in page
    alex = HttpClient()
    alex.force_login(world.alex.user)
    assert "Latest scores" not in alex.get("/me/plan/").content.decode()


def test_client_plan_page_and_home_panel_queries_do_not_grow_with_goals(world: World) -> None:
    enroll(world.alex)
    enroll(world.blair)
    signed_plan(world.alex, world.casey, goals=1)
    signed_plan(world.blair, world.quinn, goals=6)
    counts = []
    for client in (world.alex, world.blair):
        http = HttpClient()
        http.force_login(client.user)
        counts.append((_plan_page_queries(http, "/me/plan/"), _plan_page_queries(http, "/me/")))
    assert counts[0] == counts[1]


def test_saving_the_draft_keeps_untouched_goals_and_removes_ticked_ones(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    version = draft_plan(world.alex, world.casey, goals=3)
    first, second, third = list(Goal.objects.filter(version=version).order_by("order"))
    casey = login_as(world.casey)
    page = casey.get(f"/clients/{world.alex.pk}/plan/edit/").content.decode()
    assert 'name="goals-INITIAL_FORMS" value="3"' in page

    def row(goal: Goal) -> dict[str, str]:
        return {
            "goal_id": str(goal.pk),
            "statement": goal.statement,
            "plain_words": goal.plain_words,
            "target_date": goal.target_date.isoformat(),
            "objectives": "\n".join(goal.objectives),
            "interventions": "",
            "measures": "phq9",
        }

    data = _goal_post(version, [row(first), row(second), {**row(third), "DELETE": "on"}, {}])
    data["goals-INITIAL_FORMS"] = "3"
    assert casey.post(f"/clients/{world.alex.pk}/plan/edit/", data).status_code == 302
    assert list(Goal.objects.filter(version=version).order_by("order")) == [first, second]
