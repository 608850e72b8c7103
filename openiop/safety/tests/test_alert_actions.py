"""Acknowledge and resolve: who may, what is refused, and the API routes (API.md)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.services import break_glass_open
from openiop.safety.models import Alert, AlertState
from openiop.safety.tests.support import (
    EVENING,
    WORKING,
    Capture,
    clinician,
    raise_measure_alert,
    shift,
)

pytestmark = pytest.mark.django_db


def _api(user: User) -> dict[str, str]:
    raw, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _post(client: HttpClient, url: str, body: dict, headers: dict[str, str]) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def alert(world: World, django_capture_on_commit_callbacks: Capture) -> Alert:
    with time_machine.travel(WORKING, tick=False):
        return raise_measure_alert(world, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("casey", 200),  # primary clinician
        ("fran", 200),  # facilitator on the care team
        ("dale", 200),  # the program's director
        ("quinn", 404),  # clinician of the program, not on the team, not on call
        ("gale", 404),
        ("birch_clinician", 404),
        ("birch_director", 404),
        ("cora", 404),
        ("ada", 404),
        ("fay", 404),
    ],
)
def test_who_may_acknowledge_over_the_api(
    world: World, client: HttpClient, alert: Alert, name: str, status: int
) -> None:
    user = getattr(world, name)
    response = _post(
        client,
        f"/api/v1/alerts/{alert.pk}/acknowledge",
        {"note": "calling now"},
        _api(user),
    )
    assert response.status_code == status, response.content
    alert.refresh_from_db()
    if status == 200:
        assert alert.state == AlertState.ACKNOWLEDGED and alert.acknowledged_by == user
        assert response.json()["state"] == "acknowledged"
    else:
        assert alert.state == AlertState.OPEN
        assert response.json() == {"detail": "Not Found"}


def test_clients_cannot_see_alerts(world: World, client: HttpClient, alert: Alert) -> None:
    headers = _api(world.alex.user)
    ack = _post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {}, headers)
    assert ack.status_code == 404
    assert client.get("/api/v1/alerts", headers=headers).json() == []


def test_the_on_call_clinicians_off_the_care_team_may_acknowledge_and_resolve(
    world: World, client: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    olive, bo = clinician(world, "Olive"), clinician(world, "Bo")
    shift(world, olive, bo, EVENING - timedelta(hours=1), EVENING + timedelta(hours=8))
    with time_machine.travel(EVENING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        listed = client.get("/api/v1/alerts", headers=_api(olive)).json()
        assert [a["id"] for a in listed] == [alert.pk]
        # Bo, the backup, has not been paged yet but is on call: may acknowledge...
        url = f"/api/v1/alerts/{alert.pk}"
        assert _post(client, f"{url}/acknowledge", {}, _api(bo)).status_code == 200
        # ... and, having acknowledged it, resolve it (it is no longer open to the rota).
        done = _post(client, f"{url}/resolve", {"outcome": "reached_client"}, _api(bo))
    assert done.status_code == 200


def test_a_break_glass_reader_sees_the_alert_but_gets_403(
    world: World, client: HttpClient, alert: Alert
) -> None:
    assert world.alex.date_of_birth is not None
    break_glass_open(
        user=world.quinn,
        last_name="Testperson",
        date_of_birth=world.alex.date_of_birth,
        reason="Client called the front desk in distress",
    )
    response = _post(
        client,
        f"/api/v1/alerts/{alert.pk}/acknowledge",
        {},
        _api(world.quinn),
    )
    assert response.status_code == 403
    assert "care team" in response.json()["detail"]


def test_acknowledging_twice_is_409_and_resolve_needs_an_outcome(
    world: World, client: HttpClient, alert: Alert
) -> None:
    headers = _api(world.casey)
    url = f"/api/v1/alerts/{alert.pk}"
    assert _post(client, f"{url}/acknowledge", {}, headers).status_code == 200
    again = _post(client, f"{url}/acknowledge", {}, headers)
    assert again.status_code == 409
    no_outcome = _post(client, f"{url}/resolve", {"note": "ok"}, headers)
    assert no_outcome.status_code == 422
    assert "Choose what happened" in no_outcome.json()["detail"]
    bad = _post(client, f"{url}/resolve", {"outcome": "shrug"}, headers)
    assert bad.status_code == 422
    other = _post(client, f"{url}/resolve", {"outcome": "other"}, headers)
    assert other.status_code == 422  # "other" needs a note
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.outcome == ""
    done = _post(
        client,
        f"{url}/resolve",
        {"outcome": "reached_client", "note": "Spoke for 20 minutes; plan reviewed."},
        headers,
    )
    assert done.status_code == 200
    assert done.json()["state"] == "resolved" and done.json()["outcome"] == "reached_client"
    closed = _post(client, f"{url}/resolve", {"outcome": "other", "note": "x"}, headers)
    assert closed.status_code == 409
    assert (
        AuditEvent.objects.filter(
            object_type="safety.alert_resolve", object_id=str(alert.pk)
        ).count()
        == 1
    )


def test_alert_list_filters_by_state(world: World, client: HttpClient, alert: Alert) -> None:
    headers = _api(world.casey)
    assert [a["id"] for a in client.get("/api/v1/alerts?state=open", headers=headers).json()] == [
        alert.pk
    ]
    assert client.get("/api/v1/alerts?state=resolved", headers=headers).json() == []
    assert client.get("/api/v1/alerts?state=nonsense", headers=headers).status_code == 422
    assert client.get("/api/v1/alerts").status_code == 401
    # Each listed alert's read is in the trail.
    assert AuditEvent.objects.filter(
        object_type="safety.alert_list", client_id=world.alex.pk
    ).exists()


def test_alert_pages_for_staff(
    world: World, login_as: Callable[[User], HttpClient], alert: Alert
) -> None:
    http = login_as(world.casey)
    listing = http.get("/alerts/")
    assert listing.status_code == 200
    assert "Alex Testperson" in listing.content.decode()
    detail = http.get(f"/alerts/{alert.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "I have this alert" in body and "Resolve the alert" in body
    refused = http.post(f"/alerts/{alert.pk}/resolve/", {"outcome": "", "note": "x"})
    assert refused.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    http.post(f"/alerts/{alert.pk}/acknowledge/", {"note": ""})
    http.post(f"/alerts/{alert.pk}/resolve/", {"outcome": "plan_reviewed", "note": ""})
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.outcome == "plan_reviewed"
    assert login_as(world.quinn).get(f"/alerts/{alert.pk}/").status_code == 404
    assert login_as(world.alex.user).get("/alerts/").status_code == 404


def test_caseload_badges_weigh_alerts_by_severity(
    world: World, django_capture_on_commit_callbacks: Capture, login_as: Any
) -> None:
    from openiop.lib.slots import badges_for

    with time_machine.travel(WORKING, tick=False):
        raise_measure_alert(world, django_capture_on_commit_callbacks, severity="moderate")
        raise_measure_alert(world, django_capture_on_commit_callbacks, severity="high")
    badges = badges_for(world.casey, [world.alex.pk, world.blair.pk])
    weights = sorted(b.weight for b in badges[world.alex.pk] if b.text.startswith("Alert"))
    assert weights == [5, 10]
    assert not [b for b in badges[world.blair.pk] if b.text.startswith("Alert")]
    page = login_as(world.casey).get("/").content.decode()
    assert "Alert (high, open)" in page
