"""Homework: assigned by the client's clinician, done by the client (draft, autosave, hand
in), commented on; completion rates; refusals write nothing."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.care import selectors as sel
from openiop.care.models import Assignment, Exercise, Occurrence
from openiop.care.tests.support import assign, enroll, first_goal, signed_plan
from openiop.conftest import World

pytestmark = pytest.mark.django_db
Login = Callable[[User], HttpClient]
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # Wednesday 9:00 in Chicago


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client_http(world: World) -> HttpClient:
    http = HttpClient()
    http.force_login(world.alex.user)
    return http


def test_assigning_to_a_client_not_on_the_callers_caseload_is_404(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    before = AuditEvent.objects.count()
    for user in (world.quinn, world.fran, world.dale, world.birch_clinician):
        http = login_as(user)
        response = http.post(
            f"/clients/{world.alex.pk}/homework/assign/",
            {"exercise": "builtin:thought_record", "due_on": "2026-03-05", "repeat": "none"},
        )
        assert response.status_code == 404, user
        http.logout()
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_due_date_in_the_past_is_refused(world: World, login_as: Login) -> None:
    enroll(world.alex)
    http = login_as(world.casey)
    before = AuditEvent.objects.count()
    response = http.post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {"exercise": "builtin:diary_card", "due_on": "2026-03-03", "repeat": "none"},
    )
    assert response.status_code == 400
    assert "The due date is in the past" in response.content.decode()
    assert not Assignment.objects.exists() and not Occurrence.objects.exists()
    assert AuditEvent.objects.count() == before


def test_due_today_uses_the_clients_own_calendar(world: World, login_as: Login) -> None:
    # 01:30 UTC on 5 March is still 4 March in New York (Blair's zone).
    enroll(world.blair)
    with time_machine.travel(datetime(2026, 3, 5, 1, 30, tzinfo=UTC), tick=False):
        http = login_as(world.quinn)
        response = http.post(
            f"/clients/{world.blair.pk}/homework/assign/",
            {"exercise": "builtin:grounding", "due_on": "2026-03-04", "repeat": "none"},
        )
        assert response.status_code == 302
    occurrence = Occurrence.objects.get()
    assert occurrence.due_at == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)  # midnight EST


def test_daily_repetition_makes_one_occurrence_per_day_across_dst(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    http = login_as(world.casey)
    response = http.post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {
            "exercise": "builtin:diary_card",
            "due_on": "2026-03-06",
            "repeat": "daily",
            "until_on": "2026-03-10",
            "note": "Fill it in each evening",
        },
    )
    assert response.status_code == 302
    due = list(Occurrence.objects.order_by("due_on").values_list("due_on", "due_at"))
    assert [d for d, _ in due] == [date(2026, 3, n) for n in range(6, 11)]
    # Chicago moves to CDT on 8 March: midnight is 06:00 UTC before, 05:00 after.
    assert due[0][1] == datetime(2026, 3, 7, 6, 0, tzinfo=UTC)
    assert due[-1][1] == datetime(2026, 3, 11, 5, 0, tzinfo=UTC)
    event = AuditEvent.objects.get(object_type="homework", action="create")
    assert event.client_id == world.alex.pk


def test_weekly_repetition_needs_an_end_after_the_start(world: World, login_as: Login) -> None:
    enroll(world.alex)
    http = login_as(world.casey)
    response = http.post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {"exercise": "builtin:values", "due_on": "2026-03-06", "repeat": "weekly"},
    )
    assert response.status_code == 400
    assert "Choose the last day" in response.content.decode()
    assert not Occurrence.objects.exists()


def test_client_drafts_resumes_hands_in_and_reads_the_comment(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, key="builtin:grounding", days=1)
    occurrence = Occurrence.objects.get()
    alex = _client_http(world)
    url = f"/me/homework/{occurrence.pk}/"
    page = alex.get(url).content.decode()
    assert "Breathing or grounding exercise" in page and "Save draft" in page

    # Autosave (the page's script) answers JSON and keeps the draft.
    response = alex.post(url, {"which": "Slow breathing", "before": "7"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200 and response.json()["saved"].startswith("Saved at")
    occurrence.refresh_from_db()
    assert occurrence.answers["before"] == 7 and occurrence.submitted_at is None

    # Resumed: the answers come back into the form.
    page = alex.get(url).content.decode()
    assert re.search(r'name="which" value="Slow breathing"[^>]*checked', page)
    assert re.search(r'name="before" value="7"[^>]*checked', page)

    # The Save draft button (no JavaScript) does the same.
    response = alex.post(url, {"which": "Slow breathing", "before": "7", "after": "3", "draft": ""})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.answers["after"] == 3

    # A value outside the scale is refused, nothing changes.
    response = alex.post(url, {"before": "12", "submit": ""})
    assert response.status_code == 400
    occurrence.refresh_from_db()
    assert occurrence.submitted_at is None and occurrence.answers["before"] == 7

    response = alex.post(
        url, {"which": "Slow breathing", "before": "7", "after": "3", "note": "", "submit": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/me/homework/"
    occurrence.refresh_from_db()
    assert occurrence.submitted_at == NOW

    # Handed in: read-only, a second hand-in changes nothing.
    assert alex.post(url, {"before": "1", "submit": ""}).status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.answers["before"] == 7

    casey = login_as(world.casey)
    staff_url = f"/clients/{world.alex.pk}/homework/answers/?item={occurrence.pk}"
    page = casey.get(staff_url).content.decode()
    assert "Slow breathing" in page
    response = casey.post(staff_url, {"comment": "Great that the breathing helped."})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.reviewed_by == world.casey

    page = alex.get(url).content.decode()
    assert "Great that the breathing helped." in page and "Save draft" not in page
    reads = AuditEvent.objects.filter(object_type="homework", client_id=world.alex.pk)
    assert reads.filter(actor=world.alex.user, action="read").exists()
    assert reads.filter(actor=world.casey, action="read").exists()
    assert reads.filter(actor=world.alex.user, action="update").count() == 3


def test_handing_in_an_empty_form_is_refused(world: World) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, days=1)
    occurrence = Occurrence.objects.get()
    response = _client_http(world).post(f"/me/homework/{occurrence.pk}/", {"submit": ""})
    assert response.status_code == 400
    assert "Answer at least one question" in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.submitted_at is None


def test_comment_before_hand_in_is_refused(world: World, login_as: Login) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, days=1)
    occurrence = Occurrence.objects.get()
    response = login_as(world.casey).post(
        f"/clients/{world.alex.pk}/homework/answers/?item={occurrence.pk}", {"comment": "Hi"}
    )
    assert response.status_code == 409
    occurrence.refresh_from_db()
    assert occurrence.review_comment == ""


def test_another_clients_homework_is_404(world: World) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, days=1)
    occurrence = Occurrence.objects.get()
    blair = HttpClient()
    blair.force_login(world.blair.user)
    assert blair.get(f"/me/homework/{occurrence.pk}/").status_code == 404
    assert blair.post(f"/me/homework/{occurrence.pk}/", {"note": "x"}).status_code == 404
    occurrence.refresh_from_db()
    assert occurrence.saved_at is None


def test_completion_rates_per_client_and_per_goal_worked_example(
    world: World, login_as: Login, _frozen: time_machine.Traveller
) -> None:
    """Goal 1: a daily exercise due Thu–Sun (4), done on Thu, Fri and Sat; goal 2: one
    exercise due Thu, not done; one unlinked exercise due next week, done early.
    On Monday: goal 1 3 of 4 (75%), goal 2 0 of 1 (0%); the client 4 of 6 (67%): the
    early one counts, a future undone one would not."""
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey, goals=2)
    goal1, goal2 = list(version.goals.order_by("order"))
    assign(world.alex, world.casey, days=1, goal=goal1, repeat="daily", until_days=4)
    assign(world.alex, world.casey, days=1, goal=goal2)
    assign(world.alex, world.casey, days=8)  # next Thursday: handed in early
    assign(world.alex, world.casey, days=9)  # not due yet: not counted
    goal1_items = list(Occurrence.objects.filter(assignment__goal=goal1).order_by("due_on"))
    from openiop.care.services import homework_save

    for item in goal1_items[:3]:
        homework_save(occurrence=item, actor=world.alex.user, answers={"x": 1}, submit=True)
    early = Occurrence.objects.get(due_on=date(2026, 3, 12))
    homework_save(occurrence=early, actor=world.alex.user, answers={"x": 1}, submit=True)

    _frozen.move_to(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))  # Monday
    now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert sel.completion_by_goal([goal1.pk, goal2.pk], now) == {goal1.pk: (3, 4), goal2.pk: (0, 1)}
    assert sel.completion_by_client([world.alex.pk], now) == {world.alex.pk: (4, 6)}
    page = login_as(world.casey).get(f"/clients/{world.alex.pk}/plan/").content.decode()
    assert "3 of 4 done (75%)" in page
    assert "0 of 1 done (0%)" in page
    assert "4 of 6 (67%)" in page


def test_homework_linked_to_a_goal_follows_it_into_a_new_version(world: World) -> None:
    from openiop.care.services import plan_draft_save, plan_sign_clinician, plan_start
    from openiop.care.tests.support import goal

    enroll(world.alex)
    v1 = signed_plan(world.alex, world.casey, goals=1)
    assign(world.alex, world.casey, days=0, goal=first_goal(v1))
    v2 = plan_start(client=world.alex, actor=world.casey)
    copied = first_goal(v2)
    plan_draft_save(
        version=v2,
        actor=world.casey,
        problems=[],
        goals=[goal(1, goal_id=copied.pk, plain_words="Reworded")],
        review_every_days=30,
    )
    plan_sign_clinician(version=v2, actor=world.casey)
    with time_machine.travel(NOW + timedelta(days=2)):
        rows = sel.goal_rows(v2, NOW + timedelta(days=2))
    assert (rows[0].done, rows[0].counted) == (0, 1)


def test_library_item_added_by_a_director_can_be_assigned(world: World, login_as: Login) -> None:
    enroll(world.alex)
    dale = login_as(world.dale)
    response = dale.post(
        "/care/library/new/",
        {
            "kind": "form",
            "title": "Sleep log",
            "instructions": "Each morning",
            "questions": "time: When did you fall asleep?\nscale: How rested are you?\n"
            "choice: Woke in the night? = No; Once; More than once",
        },
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(title="Sleep log")
    assert [f["type"] for f in exercise.fields] == ["time", "scale", "choice"]
    bad = dale.post(
        "/care/library/new/", {"kind": "form", "title": "Bad", "questions": "colour: x"}
    )
    assert bad.status_code == 400 and "Line 1" in bad.content.decode()
    assert not Exercise.objects.filter(title="Bad").exists()
    dale.logout()
    casey = login_as(world.casey)
    response = casey.post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {"exercise": f"program:{exercise.pk}", "due_on": "2026-03-05", "repeat": "none"},
    )
    assert response.status_code == 302
    occurrence = Occurrence.objects.get()
    alex = _client_http(world)
    page = alex.get(f"/me/homework/{occurrence.pk}/").content.decode()
    assert "When did you fall asleep?" in page and 'type="time"' in page
    response = alex.post(
        f"/me/homework/{occurrence.pk}/", {"q1": "23:15", "q2": "4", "q3": "Once", "submit": ""}
    )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.answers == {"q1": "23:15", "q2": 4, "q3": "Once"}

    # Retired from the library: no longer offered or assignable; Alex keeps what was done.
    other = login_as(world.birch_director).post(f"/care/library/{exercise.pk}/retire/")
    assert other.status_code == 404  # another program's director
    library = login_as(world.dale).get("/care/library/").content.decode()
    assert "Retire Sleep log" in library
    retired = login_as(world.dale).post(f"/care/library/{exercise.pk}/retire/")
    assert retired.status_code == 302
    assert not Exercise.objects.get(pk=exercise.pk).is_active
    assert "Retire Sleep log" not in login_as(world.dale).get("/care/library/").content.decode()
    refused = login_as(world.casey).post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {"exercise": f"program:{exercise.pk}", "due_on": "2026-03-06", "repeat": "none"},
    )
    assert refused.status_code == 400 and Occurrence.objects.count() == 1
    assert _client_http(world).get(f"/me/homework/{occurrence.pk}/").status_code == 200


def test_other_programs_library_items_cannot_be_assigned(world: World, login_as: Login) -> None:
    enroll(world.alex)
    theirs = Exercise.objects.create(
        program=world.other_program, title="Theirs", created_by=world.birch_director
    )
    response = login_as(world.casey).post(
        f"/clients/{world.alex.pk}/homework/assign/",
        {"exercise": f"program:{theirs.pk}", "due_on": "2026-03-05", "repeat": "none"},
    )
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def _count(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_my_homework_page_has_a_fixed_query_count(world: World) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, days=1)
    http = _client_http(world)
    one = _count(http, "/me/homework/")
    for days in range(2, 12):
        assign(world.alex, world.casey, days=days)
    assert _count(http, "/me/homework/") == one


def test_a_community_activity_can_be_given_as_homework(world: World) -> None:
    from openiop.care.library import community_activity
    from openiop.care.services import homework_assign

    enroll(world.alex)
    activity = community_activity(
        key="resource:7",
        title="Tuesday walking group",
        text="Meets at the park gate at 6 pm.",
        link="https://example.test/walk",
    )
    assignment = homework_assign(
        client=world.alex, actor=world.casey, exercise=activity, due_on=date(2026, 3, 10)
    )
    assert (assignment.kind, assignment.exercise_key) == ("community", "resource:7")
    occurrence = assignment.occurrences.get()
    page = _client_http(world).get(f"/me/homework/{occurrence.pk}/").content.decode()
    assert "https://example.test/walk" in page and "How did it go?" in page


def test_a_double_tap_on_assign_gives_one_assignment(world: World, login_as: Login) -> None:
    enroll(world.alex)
    http = login_as(world.casey)
    body = {
        "exercise": "builtin:diary_card",
        "due_on": "2026-03-05",
        "repeat": "daily",
        "until_on": "2026-03-07",
    }
    assert http.post(f"/clients/{world.alex.pk}/homework/assign/", body).status_code == 302
    assert http.post(f"/clients/{world.alex.pk}/homework/assign/", body).status_code == 302
    assert Assignment.objects.count() == 1 and Occurrence.objects.count() == 3


def test_clinician_withdraws_an_exercise_the_client_no_longer_sees(
    world: World, login_as: Login, _frozen: time_machine.Traveller
) -> None:
    """A daily exercise due Thu–Sun: Thursday's is handed in, then on Friday the clinician
    withdraws it. Thursday's stays (done, counted); the three others leave the client's list,
    lose their reminders, stop counting and refuse a late save."""
    from openiop.care.services import homework_save
    from openiop.notify.models import Message, MessageState

    enroll(world.alex)
    assignment = assign(world.alex, world.casey, days=1, repeat="daily", until_days=4)
    items = list(assignment.occurrences.order_by("due_on"))
    homework_save(occurrence=items[0], actor=world.alex.user, answers={"x": 1}, submit=True)
    _frozen.move_to(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # Friday
    # Blair's clinician cannot withdraw Alex's homework.
    other = login_as(world.gale).post(
        f"/clients/{world.alex.pk}/homework/withdraw/", {"item": items[1].pk}
    )
    assert other.status_code == 404
    assert not Occurrence.objects.filter(withdrawn_at__isnull=False).exists()
    casey = login_as(world.casey)
    detail = casey.get(f"/clients/{world.alex.pk}/homework/answers/?item={items[1].pk}")
    assert "Withdraw this exercise" in detail.content.decode()
    response = casey.post(f"/clients/{world.alex.pk}/homework/withdraw/", {"item": items[1].pk})
    assert response.status_code == 302
    withdrawn = Occurrence.objects.filter(assignment=assignment, withdrawn_at__isnull=False)
    assert withdrawn.count() == 3
    assert Occurrence.objects.get(pk=items[0].pk).withdrawn_at is None
    assert not Message.objects.filter(
        key__in=[f"care:homework:{o.pk}:due" for o in items[1:]], state=MessageState.PENDING
    ).exists()
    event = AuditEvent.objects.get(object_type=sel.OBJECT_HOMEWORK, reason="withdrawn")
    assert (event.actor_id, event.client_id) == (world.casey.pk, world.alex.pk)
    now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert sel.completion_by_client([world.alex.pk], now) == {world.alex.pk: (1, 1)}
    # The client: only Thursday's, in the done list; the others are 404 and cannot be saved.
    http = _client_http(world)
    mine = http.get("/me/homework/").content.decode()
    assert mine.count(assignment.title) == 1
    assert http.get(f"/me/homework/{items[2].pk}/").status_code == 404
    from openiop.care.services import CareRefused

    with pytest.raises(CareRefused):
        homework_save(occurrence=items[2], actor=world.alex.user, answers={"x": 1})
    # The clinician's plan page keeps the history, labelled.
    plan = casey.get(f"/clients/{world.alex.pk}/plan/").content.decode()
    assert plan.count("Withdrawn") == 3
    # A second withdraw has nothing left to do: refused, nothing written.
    again = casey.post(f"/clients/{world.alex.pk}/homework/withdraw/", {"item": items[1].pk})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(reason="withdrawn").count() == 1
