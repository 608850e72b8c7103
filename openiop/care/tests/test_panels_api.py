"""What care puts on other apps' pages (client home, client record, caseload badges) and its
JSON API."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.care.models import Occurrence
from openiop.care.panels import caseload_badges
from openiop.care.services import homework_save, plan_sign_client
from openiop.care.tests.support import assign, enroll, first_goal, signed_plan
from openiop.conftest import World
from openiop.lib.slots import Badge

pytestmark = pytest.mark.django_db
Login = Callable[[User], HttpClient]
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_client_home_shows_goals_progress_and_due_homework(world: World) -> None:
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey, goals=2)
    assign(world.alex, world.casey, days=1, goal=first_goal(version))
    http = HttpClient()
    http.force_login(world.alex.user)
    page = http.get("/me/", follow=True).content.decode()
    assert "My goals and practice" in page
    assert "My goal 1" in page and "My goal 2" in page
    assert "Thought record" in page and "ready to read and sign" in page
    assert "Measurable goal" not in page


def test_client_record_panel_shows_plan_status_and_completion(
    world: World, login_as: Login
) -> None:
    enroll(world.alex)
    signed_plan(world.alex, world.casey)
    page = login_as(world.casey).get(f"/clients/{world.alex.pk}/").content.decode()
    assert "Treatment plan and homework" in page
    assert "Version 1: Signed by clinician, waiting for the client" in page
    assert "Review due" in page and "3 April 2026" in page
    # The director sees it too; a facilitator on the team as well.
    assert (
        "Treatment plan and homework"
        in login_as(world.dale).get(f"/clients/{world.alex.pk}/").content.decode()
    )


def test_caseload_badges_for_overdue_homework_and_review(
    world: World, _frozen: time_machine.Traveller
) -> None:
    enroll(world.alex)
    enroll(world.blair)
    signed_plan(world.alex, world.casey)
    assign(world.blair, world.quinn, days=0)
    assign(world.alex, world.casey, days=0)
    done = Occurrence.objects.get(client=world.alex)
    homework_save(occurrence=done, actor=world.alex.user, answers={"a": "b"}, submit=True)
    ids = [world.alex.pk, world.blair.pk]
    assert caseload_badges(world.dale, ids) == {}
    _frozen.move_to(datetime(2026, 4, 10, 15, 0, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        badges = caseload_badges(world.dale, ids)
    assert len(queries) == 2  # overdue homework, overdue reviews
    assert badges == {
        world.alex.pk: [Badge("Plan review overdue", 1)],
        world.blair.pk: [Badge("Homework overdue", 1)],
    }


def test_caseload_page_shows_the_badges(world: World, login_as: Login) -> None:
    enroll(world.alex)
    assign(world.alex, world.casey, days=0)
    with time_machine.travel(datetime(2026, 3, 6, 15, 0, tzinfo=UTC), tick=False):
        assert "Homework overdue" in login_as(world.casey).get("/").content.decode()


def _bearer(user: User) -> dict[str, str]:
    token, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {token}"}


def test_api_treatment_plan_and_homework(world: World) -> None:
    enroll(world.alex)
    version = signed_plan(world.alex, world.casey)
    goal = first_goal(version)
    assign(world.alex, world.casey, days=0, goal=goal)
    http = HttpClient()
    response = http.get(
        f"/api/v1/clients/{world.alex.pk}/treatment-plan", headers=_bearer(world.casey)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["status"] == "clinician_signed"
    assert [g["plain_words"] for g in body["goals"]] == ["My goal 1", "My goal 2"]
    assert body["goals"][0]["id"] == goal.pk and body["goals"][0]["measures"] == ["phq9"]
    assert body["review_due_at"].endswith("Z") or "+00:00" in body["review_due_at"]

    response = http.get(f"/api/v1/clients/{world.alex.pk}/homework", headers=_bearer(world.casey))
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["title"] == "Thought record" and items[0]["goal"] == goal.pk
    assert items[0]["due_at"].endswith("-06:00")  # the client's own offset (Chicago, CST)
    assert AuditEvent.objects.filter(
        actor=world.casey, object_type="homework", action="read"
    ).exists()

    plan_sign_client(version=version, client=world.alex, typed_name="Alex T")
    mine = http.get(
        f"/api/v1/clients/{world.alex.pk}/treatment-plan", headers=_bearer(world.alex.user)
    )
    assert mine.status_code == 200 and mine.json()["status"] == "signed"


def test_api_is_404_for_everyone_else(world: World) -> None:
    enroll(world.alex)
    signed_plan(world.alex, world.casey)
    http = HttpClient()
    for user in (world.quinn, world.birch_director, world.cora, world.blair.user, world.fay):
        for path in ("treatment-plan", "homework"):
            response = http.get(f"/api/v1/clients/{world.alex.pk}/{path}", headers=_bearer(user))
            assert response.status_code == 404, (user, path)
            assert "detail" in response.json()
