"""GET /api/v1/resources: a client's own directory, staff's programs, distance order."""

from datetime import date

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.conftest import World
from openiop.resources.services import resource_save


def _get(http: HttpClient, user: User, query: str) -> tuple[int, object]:
    raw, _ = api_token_issue(user=user)
    response = http.get(f"/api/v1/resources{query}", headers={"Authorization": f"Bearer {raw}"})
    return response.status_code, response.json()


@pytest.fixture
def entries(world: World) -> None:
    for name, zip_code in [("Evanston group", "60201"), ("Lincoln Park group", "60614")]:
        resource_save(
            program=world.program,
            actor=world.dale,
            name=name,
            category="peer_support",
            postal_code=zip_code,
            last_verified_on=date(2026, 11, 1),
        )


def test_a_client_searches_their_program_by_distance(
    world: World, entries: None, client: HttpClient
) -> None:
    status, body = _get(client, world.alex.user, "?postal_code=60601&radius=20")
    assert status == 200
    assert [(r["name"], r["miles"]) for r in body] == [  # type: ignore[attr-defined]
        ("Lincoln Park group", 3.0),
        ("Evanston group", 12.3),
    ]
    assert _get(client, world.alex.user, "?postal_code=00000")[0] == 422
    assert _get(client, world.alex.user, "?radius=-1")[0] == 422


def test_staff_name_one_of_their_programs(world: World, entries: None, client: HttpClient) -> None:
    status, body = _get(client, world.casey, f"?program={world.program.pk}")
    assert status == 200 and len(body) == 2  # type: ignore[arg-type]
    assert _get(client, world.birch_director, f"?program={world.program.pk}")[0] == 404
    assert _get(client, world.fay, "")[0] == 404
