"""GET /instruments and POST /clients/{id}/responses: who may answer, 422 naming the item."""

from typing import Any

import pytest
from django.test import Client as HttpClient

from openiop.conftest import World
from openiop.measures.models import Response
from openiop.measures.tests.support import phq9
from openiop.programs.tests.enrollment_support import api_headers, api_post, persona


def test_instruments_lists_the_five_codes_with_items(world: World, client: HttpClient) -> None:
    data = client.get("/api/v1/instruments", headers=api_headers(world.alex.user)).json()
    codes = [x["code"] for x in data]
    assert codes == ["phq9", "gad7", "pcl5", "cssrs_screen", "daily_checkin"]
    phq = data[0]
    assert [i["id"] for i in phq["items"]] == [*map(str, range(1, 10)), "difficulty"]
    assert phq["items"][0]["options"][3] == {"value": 3, "label": "Nearly every day"}
    cssrs = data[3]
    assert cssrs["items"][2]["ask_if"] == {"item": "2", "eq": True}
    assert "Pfizer" in phq["attribution"]


def test_unauthenticated_is_401(client: HttpClient, db: None) -> None:
    assert client.get("/api/v1/instruments").status_code == 401


def test_care_team_clinician_records_answers_in_session(world: World, client: HttpClient) -> None:
    response = api_post(
        client,
        api_headers(world.casey),
        f"/api/v1/clients/{world.alex.pk}/responses",
        {"instrument": "gad7", "answers": {str(n): 2 for n in range(1, 8)}},
    )
    assert response.status_code == 201
    assert response.json()["total"] == 14 and response.json()["band"] == "moderate"
    assert Response.objects.get().source == "clinician"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("blair", 404),
        ("quinn", 404),
        ("birch_clinician", 404),
        ("cora", 404),
        ("fay", 404),
        ("fran", 403),  # on the team, but a facilitator
        ("dale", 403),  # the director sees the record but does not administer
    ],
)
def test_others_cannot_answer_for_the_client(
    world: World, client: HttpClient, name: str, status: int
) -> None:
    response = api_post(
        client,
        api_headers(persona(world, name)),
        f"/api/v1/clients/{world.alex.pk}/responses",
        {"instrument": "phq9", "answers": phq9(3)},
    )
    assert response.status_code == status
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"instrument": "phq9", "answers": {"1": 0}}, "Item 2: is missing."),
        ({"instrument": "phq9", "answers": phq9(0, **{"9": 5})}, "Item 9: choose one of"),
        (
            {"instrument": "cssrs_screen", "answers": {"1": False, "2": False, "5": True}},
            "Item 5: was not asked",
        ),
        ({"instrument": "phq10", "answers": {}}, "Unknown instrument 'phq10'."),
    ],
)
def test_bad_answers_are_422_naming_the_item(
    world: World, client: HttpClient, body: dict[str, Any], detail: str
) -> None:
    response = api_post(
        client, api_headers(world.alex.user), f"/api/v1/clients/{world.alex.pk}/responses", body
    )
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert not Response.objects.exists()


def test_a_body_that_is_not_an_answer_object_is_422(world: World, client: HttpClient) -> None:
    response = api_post(
        client,
        api_headers(world.alex.user),
        f"/api/v1/clients/{world.alex.pk}/responses",
        {"instrument": "phq9", "answers": [1, 2, 3]},
    )
    assert response.status_code == 422
