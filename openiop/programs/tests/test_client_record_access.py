"""Who may open a client's record page: the care team, the program's director, the client.

Everyone else gets the same 404 as for an id that does not exist, so ids cannot be probed.
"""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World, without_csrf
from openiop.programs.services import care_team_add, client_create

ALLOWED = ["alex", "casey", "fran", "dale"]
DENIED = ["blair", "quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "fay"]


def _persona(world: World, name: str) -> User:
    if name in ("alex", "blair"):
        return getattr(world, name).user
    return getattr(world, name)


@pytest.mark.parametrize("name", ALLOWED)
def test_care_team_director_and_client_see_the_record(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    user = _persona(world, name)
    response = login_as(user).get(f"/clients/{world.alex.pk}/")
    assert response.status_code == 200
    assert "Testperson" in response.content.decode()
    event = AuditEvent.objects.get(actor=user, action="read", object_type="client")
    assert event.client_id == world.alex.pk
    assert event.ip == "127.0.0.1"


@pytest.mark.parametrize("name", DENIED)
def test_everyone_else_gets_the_same_404_as_a_missing_id(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    client = login_as(_persona(world, name))
    denied = client.get(f"/clients/{world.alex.pk}/")
    missing = client.get("/clients/999999/")
    assert denied.status_code == missing.status_code == 404
    assert without_csrf(denied.content) == without_csrf(missing.content)
    assert "Testperson" not in denied.content.decode()
    assert not AuditEvent.objects.filter(action="read", client_id=world.alex.pk).exists()


def test_anonymous_is_sent_to_sign_in(world: World, client: HttpClient) -> None:
    response = client.get(f"/clients/{world.alex.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("casey", {"Alex"}),
        ("quinn", {"Blair"}),
        ("fran", {"Alex"}),
        ("gale", {"Blair"}),
        ("dale", {"Alex", "Blair"}),
        ("birch_director", set()),
        ("birch_clinician", set()),
    ],
)
def test_home_lists_exactly_the_visible_clients(
    world: World, login_as: Callable[[User], HttpClient], name: str, sees: set[str]
) -> None:
    body = login_as(_persona(world, name)).get("/").content.decode()
    assert {first for first in ("Alex", "Blair") if first in body} == sees


def test_caseload_query_count_does_not_grow_with_clients(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.dale)
    client.get("/")  # first request stores the session timestamps

    def render() -> int:
        # The caseload itself: session, user, OTP device, the caseload counted (for its pages),
        # one page of it with the program joined (phase and track are subqueries of it), the
        # programs the director runs, the session's idle timestamp (SAVEPOINT, UPDATE,
        # RELEASE) and the listed clients' read events written together. On top: the panels
        # and caseload badges later apps register (alerts, measures, notes...), each with its
        # own fixed count tested in its app.
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    before = render()
    assert before >= 9 + list_read_audit_queries()
    for i in range(30):
        extra = client_create(
            program=world.program,
            email=f"c{i}@example.test",
            first_name=f"Extra{i}",
            last_name="Client",
            date_of_birth=date(2000, 1, 1),
            time_zone="UTC",
        )
        care_team_add(client=extra, user=world.casey, role="primary", actor=None)
    assert render() == before


@pytest.mark.parametrize(
    ("name", "listed"), [("casey", ["alex"]), ("dale", ["alex", "blair"]), ("birch_director", [])]
)
def test_listing_clients_records_a_read_for_each_one_shown(
    world: World, login_as: Callable[[User], HttpClient], name: str, listed: list[str]
) -> None:
    user = _persona(world, name)
    assert login_as(user).get("/").status_code == 200
    events = AuditEvent.objects.filter(actor=user, action="read", object_type="caseload")
    assert set(events.values_list("client_id", flat=True)) == {
        getattr(world, who).pk for who in listed
    }
    assert events.count() == len(listed)
