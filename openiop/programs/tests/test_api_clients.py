"""Clients over the JSON API: GET /clients, GET /clients/{id}, POST /clients/{id}/care-team.

Every persona tries every route. Whoever may not see a client gets the same 404 as for an id
that does not exist; each read of a client is audited in the transaction that read it.
"""

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import CareTeamMember
from openiop.programs.selectors import NOT_ALLOWED_CARE_TEAM

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

UA = "openiop-api-tests/1.0"
NOT_FOUND = {"detail": "Not Found"}
SEES_ALEX = ["alex", "casey", "fran", "dale"]
DOES_NOT_SEE_ALEX = [
    "blair",
    "quinn",
    "gale",
    "birch_clinician",
    "birch_director",
    "cora",
    "ada",
    "fay",
]
CASELOADS = {
    "alex": {"alex"},
    "blair": {"blair"},
    "casey": {"alex"},
    "fran": {"alex"},
    "quinn": {"blair"},
    "gale": {"blair"},
    "dale": {"alex", "blair"},
    "birch_director": set(),
    "birch_clinician": set(),
    "cora": set(),
    "ada": set(),
    "fay": set(),
}


def _persona(world: World, name: str) -> User:
    if name in ("alex", "blair"):
        return getattr(world, name).user
    return getattr(world, name)


def _headers(user: User) -> dict[str, str]:
    # Tokens come straight from the service: the sign-in itself is tested in accounts.
    raw, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {raw}", "User-Agent": UA}


def _get(client: HttpClient, user: User | None, url: str) -> "Response":
    return client.get(url, headers=_headers(user) if user else {"User-Agent": UA})


def _post(client: HttpClient, user: User | None, url: str, body: Any) -> "Response":
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = _headers(user) if user else {"User-Agent": UA}
    return client.post(url, data=data, content_type="application/json", headers=headers)


def _reads(**filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="read", **filters).order_by("seq"))


# --- GET /clients -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASELOADS))
def test_caseload_is_exactly_what_the_caller_may_see(
    world: World, client: HttpClient, name: str
) -> None:
    response = _get(client, _persona(world, name), "/api/v1/clients")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()}
    assert ids == {getattr(world, c).pk for c in CASELOADS[name]}


def test_caseload_rows_carry_names_only(world: World, client: HttpClient) -> None:
    response = _get(client, world.casey, "/api/v1/clients")
    assert response.json() == [
        {
            "id": world.alex.pk,
            "program": world.program.pk,
            "first_name": "Alex",
            "last_name": "Testperson",
        }
    ]


def test_caseload_read_is_audited_once_per_listed_client(world: World, client: HttpClient) -> None:
    _get(client, world.dale, "/api/v1/clients")
    events = _reads(object_type="client_list")
    assert {e.client_id for e in events} == {world.alex.pk, world.blair.pk}
    for event in events:
        assert event.actor == world.dale
        assert event.actor_role == "director"
        assert event.object_id == str(event.client_id)
        assert (event.ip, event.user_agent) == ("127.0.0.1", UA)


def test_an_empty_caseload_discloses_nothing_and_records_nothing(
    world: World, client: HttpClient
) -> None:
    response = _get(client, world.cora, "/api/v1/clients")
    assert response.json() == []
    assert _reads() == []


def _one_savepoint_around(queries: list[str], first: str, last: str) -> bool:
    """True when the queries matching `first` and `last` run inside the same savepoint
    (Django's atomic() inside the test's transaction), i.e. commit or roll back together."""
    start = next(i for i, q in enumerate(queries) if re.search(first, q))
    end = max(i for i, q in enumerate(queries) if re.search(last, q))
    opened = [m.group(1) for q in queries[:start] if (m := re.match(r'SAVEPOINT "?(\w+)"?', q))]
    if not opened:
        return False
    name = opened[-1]
    releases = [i for i, q in enumerate(queries) if re.match(rf'RELEASE SAVEPOINT "?{name}"?', q)]
    return bool(releases) and releases[0] > end


def test_caseload_read_and_its_audit_rows_share_one_transaction(
    world: World, client: HttpClient
) -> None:
    headers = _headers(world.dale)
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/clients", headers=headers)
    queries = [q["sql"] for q in captured.captured_queries]
    assert _one_savepoint_around(
        queries, r'FROM "programs_client"', r'INSERT INTO "audit_auditevent"'
    )
    # The list itself is one query however many clients it holds (the audit rows are written
    # one per client, since each continues the hash chain).
    assert sum(1 for q in queries if 'FROM "programs_client"' in q) == 1


# --- GET /clients/{id} ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SEES_ALEX)
def test_client_detail_for_those_who_may_see_it(
    world: World, client: HttpClient, name: str
) -> None:
    user = _persona(world, name)
    response = _get(client, user, f"/api/v1/clients/{world.alex.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": world.alex.pk,
        "program": world.program.pk,
        "first_name": "Alex",
        "last_name": "Testperson",
        "date_of_birth": "1990-01-02",
        "time_zone": "America/Chicago",
    }
    [event] = _reads(object_type="client")
    assert event.actor == user
    assert event.actor_role == user.role
    assert event.client_id == world.alex.pk
    assert event.object_id == str(world.alex.pk)
    assert (event.ip, event.user_agent) == ("127.0.0.1", UA)


@pytest.mark.parametrize("name", DOES_NOT_SEE_ALEX)
def test_client_detail_is_the_same_404_as_a_missing_id(
    world: World, client: HttpClient, name: str
) -> None:
    user = _persona(world, name)
    denied = _get(client, user, f"/api/v1/clients/{world.alex.pk}")
    missing = _get(client, user, "/api/v1/clients/999999")
    assert denied.status_code == missing.status_code == 404
    assert denied.content == missing.content
    assert denied.json() == NOT_FOUND
    assert not AuditEvent.objects.filter(action="read", client_id=world.alex.pk).exists()


def test_client_detail_read_and_audit_share_one_transaction(
    world: World, client: HttpClient
) -> None:
    headers = _headers(world.casey)
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/api/v1/clients/{world.alex.pk}", headers=headers)
    queries = [q["sql"] for q in captured.captured_queries]
    assert _one_savepoint_around(
        queries, r'FROM "programs_client"', r'INSERT INTO "audit_auditevent"'
    )


def test_client_detail_needs_a_token(world: World, client: HttpClient) -> None:
    response = _get(client, None, f"/api/v1/clients/{world.alex.pk}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing, expired or revoked token."}
    assert _reads() == []


@pytest.mark.parametrize(
    ("path", "status"),
    [("0", 404), ("-1", 404), ("99999999999999999999999", 404), ("abc", 422), ("1.5", 422)],
)
def test_odd_client_ids_never_give_a_500(
    world: World, client: HttpClient, path: str, status: int
) -> None:
    response = _get(client, world.dale, f"/api/v1/clients/{path}")
    assert response.status_code == status
    assert "detail" in response.json()


# --- POST /clients/{id}/care-team --------------------------------------------------------------


def _care_team(world: World) -> dict[str, str]:
    return {m.user.email: m.role for m in CareTeamMember.objects.filter(client=world.alex)}


def test_director_adds_a_clinician(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.dale, url, {"user": world.quinn.pk, "role": "clinician"})
    assert response.status_code == 201
    assert response.json() == {"user": world.quinn.pk, "role": "clinician"}
    member = CareTeamMember.objects.get(client=world.alex, user=world.quinn)
    assert member.role == "clinician"
    event = AuditEvent.objects.get(object_type="care_team_member", object_id=str(member.pk))
    assert event.action == "create"
    assert event.actor == world.dale
    assert event.client_id == world.alex.pk
    assert (event.ip, event.user_agent) == ("127.0.0.1", UA)
    # Quinn now sees Alex.
    assert _get(client, world.quinn, f"/api/v1/clients/{world.alex.pk}").status_code == 200


def test_primary_clinician_adds_a_clinician(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.casey, url, {"user": world.quinn.pk, "role": "prescriber"})
    assert response.status_code == 201
    assert _care_team(world)["quinn@example.test"] == "prescriber"
    event = AuditEvent.objects.get(object_type="care_team_member", actor=world.casey)
    assert (event.action, event.client_id) == ("create", world.alex.pk)


def test_changing_a_seat_is_an_update_and_a_new_primary_replaces_the_old(
    world: World, client: HttpClient
) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    _post(client, world.dale, url, {"user": world.quinn.pk, "role": "clinician"})
    response = _post(client, world.dale, url, {"user": world.quinn.pk, "role": "primary"})
    assert response.status_code == 201
    assert _care_team(world) == {
        "casey@example.test": "clinician",
        "fran@example.test": "facilitator",
        "quinn@example.test": "primary",
    }
    actions = list(
        AuditEvent.objects.filter(object_type="care_team_member", actor=world.dale)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_facilitator_on_the_team_gets_403(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.fran, url, {"user": world.quinn.pk, "role": "clinician"})
    assert response.status_code == 403
    assert response.json() == {"detail": NOT_ALLOWED_CARE_TEAM}
    assert "quinn@example.test" not in _care_team(world)
    assert not AuditEvent.objects.filter(object_type="care_team_member", actor=world.fran).exists()


def test_the_client_themself_gets_403(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.alex.user, url, {"user": world.quinn.pk, "role": "clinician"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name", ["quinn", "gale", "blair", "birch_director", "birch_clinician", "cora", "ada", "fay"]
)
def test_anyone_who_cannot_see_the_client_gets_the_missing_id_404(
    world: World, client: HttpClient, name: str
) -> None:
    user = _persona(world, name)
    body = {"user": world.quinn.pk, "role": "clinician"}
    denied = _post(client, user, f"/api/v1/clients/{world.alex.pk}/care-team", body)
    missing = _post(client, user, "/api/v1/clients/999999/care-team", body)
    assert denied.status_code == missing.status_code == 404
    assert denied.content == missing.content
    assert "quinn@example.test" not in _care_team(world)


def test_care_team_change_needs_a_token(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, None, url, {"user": world.quinn.pk, "role": "clinician"})
    assert response.status_code == 401


def test_unknown_seat_is_422(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.dale, url, {"user": world.quinn.pk, "role": "boss"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "role"
    assert "quinn@example.test" not in _care_team(world)


@pytest.mark.parametrize(
    ("who", "role", "message"),
    [
        ("birch_clinician", "clinician", "That person does not work in this client's program."),
        ("blair", "clinician", "A client cannot be a Clinician."),
        ("fran", "primary", "A group facilitator cannot be a Primary clinician."),
        ("fay", "facilitator", "A family member / support person cannot be a Group facilitator."),
    ],
)
def test_a_person_who_cannot_hold_the_seat_is_422(
    world: World, client: HttpClient, who: str, role: str, message: str
) -> None:
    before = _care_team(world)
    seats = AuditEvent.objects.filter(object_type="care_team_member").count()
    user = _persona(world, who)
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.dale, url, {"user": user.pk, "role": role})
    assert response.status_code == 422
    assert response.json() == {"detail": message}
    assert _care_team(world) == before
    assert AuditEvent.objects.filter(object_type="care_team_member").count() == seats


def test_an_unknown_user_is_422(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    for user_id in (999999, 99999999999999999999999, -1):
        response = _post(client, world.dale, url, {"user": user_id, "role": "clinician"})
        assert response.status_code == 422
        assert response.json() == {"detail": "No such user."}


@pytest.mark.parametrize(
    "body",
    [
        "",
        "{",
        "[]",
        "null",
        {},
        {"user": "quinn", "role": "clinician"},
        {"user": None, "role": "clinician"},
        {"user": 1.5, "role": "clinician"},
        {"role": "clinician"},
        {"user": 1},
        {"user": 1, "role": "x" * 100_000},
        {"user": 1, "role": "clinician\x00"},
        {"user": 1, "role": ["clinician"]},
    ],
)
def test_bad_care_team_bodies_get_a_json_error_not_a_500(
    world: World, client: HttpClient, body: Any
) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/care-team"
    response = _post(client, world.dale, url, body)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert not AuditEvent.objects.filter(object_type="care_team_member", actor=world.dale).exists()
