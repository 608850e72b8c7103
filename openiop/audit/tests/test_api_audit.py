"""`GET /api/v1/audit`: compliance officers only; the search is itself audited."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World


def _bearer(user: User) -> dict[str, str]:  # the test client's `headers=`
    raw, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_compliance_reads_one_clients_events_newest_first(
    world: World, login_as: Callable[[User], HttpClient], client: HttpClient
) -> None:
    login_as(world.casey).get(f"/clients/{world.alex.pk}/")  # a read to find
    response = client.get(f"/api/v1/audit?client={world.alex.pk}", headers=_bearer(world.cora))
    assert response.status_code == 200
    events = response.json()
    assert events and all(e["client_id"] == world.alex.pk for e in events)
    assert [e["seq"] for e in events] == sorted((e["seq"] for e in events), reverse=True)
    read = next(e for e in events if e["action"] == "read" and e["object_type"] == "client")
    assert read["actor"] == world.casey.email and read["actor_role"] == "clinician"
    assert "Testperson" not in response.content.decode()  # no PHI values in events
    search = AuditEvent.objects.filter(actor=world.cora, action="search").get()
    assert search.client_id == world.alex.pk and search.reason.startswith("api;")


def test_filters_by_actor_and_dates(
    world: World, login_as: Callable[[User], HttpClient], client: HttpClient
) -> None:
    login_as(world.casey).get(f"/clients/{world.alex.pk}/")
    headers = _bearer(world.cora)
    mine = client.get(f"/api/v1/audit?actor={world.casey.email.upper()}", headers=headers).json()
    assert mine and {e["actor"] for e in mine} == {world.casey.email}
    future = client.get("/api/v1/audit?from=2999-01-01", headers=headers).json()
    assert future == []


@pytest.mark.parametrize(
    "query",
    ["client=abc", "from=2026-02-01&to=2026-01-01", "limit=0", "limit=99999", "from=not-a-date"],
)
def test_bad_input_is_refused_and_not_recorded(
    world: World, client: HttpClient, query: str
) -> None:
    headers = _bearer(world.cora)
    before = AuditEvent.objects.filter(action="search").count()
    response = client.get(f"/api/v1/audit?{query}", headers=headers)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert AuditEvent.objects.filter(action="search").count() == before


@pytest.mark.parametrize("persona", ["casey", "dale", "ada", "fay"])
def test_other_roles_are_refused(world: World, client: HttpClient, persona: str) -> None:
    response = client.get(
        f"/api/v1/audit?client={world.alex.pk}", headers=_bearer(getattr(world, persona))
    )
    assert response.status_code == 403


def test_a_client_is_refused_and_anonymous_is_401(world: World, client: HttpClient) -> None:
    assert client.get("/api/v1/audit", headers=_bearer(world.alex.user)).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
