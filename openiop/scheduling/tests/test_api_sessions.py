"""POST /sessions and GET /clients/{id}/sessions."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.tests.enrollment_support import api_headers, api_post, persona
from openiop.scheduling.models import Booking, Session, SessionSeries
from openiop.scheduling.services.series import series_create, session_cancel


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=UTC), tick=False):
        yield


def _body(world: World, **change: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "group",
        "program": world.program.pk,
        "starts_at": "2026-03-02T18:00:00-06:00",
        "duration_minutes": 180,
        "facilitator": world.fran.pk,
    }
    body.update(change)
    return {k: v for k, v in body.items() if v is not None}


def _snapshot() -> tuple[int, int, int]:
    return SessionSeries.objects.count(), Session.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("name", ["dale", "casey", "fran"])
def test_program_staff_create_a_single_session(world: World, client: HttpClient, name: str) -> None:
    response = api_post(client, api_headers(persona(world, name)), "/api/v1/sessions", _body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2026-03-02T18:00:00-06:00"
    assert body["ends_at"] == "2026-03-02T21:00:00-06:00"
    assert body["series"] is None and body["capacity"] == 12 and body["status"] == "scheduled"
    assert AuditEvent.objects.filter(object_type="session", object_id=str(body["id"])).exists()


def test_a_series_answers_its_first_occurrence_and_keeps_1800_chicago(
    world: World, client: HttpClient
) -> None:
    body = _body(world, rrule="FREQ=WEEKLY;BYDAY=MO,WE,TH", track=None)
    response = api_post(client, api_headers(world.dale), "/api/v1/sessions", body)
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["starts_at"] == "2026-03-02T18:00:00-06:00"
    series = SessionSeries.objects.get(pk=first["series"])
    assert series.time_zone == "America/Chicago" and series.rrule == "FREQ=WEEKLY;BYDAY=MO,WE,TH"
    # After 8 March Chicago is on CDT: the same 18:00, an hour earlier in UTC.
    later = Session.objects.filter(series=series, starts_at__gte=datetime(2026, 3, 9, tzinfo=UTC))
    assert later.first().starts_at == datetime(2026, 3, 9, 23, tzinfo=UTC)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"rrule": "FREQ=MINUTELY"}, "rrule: FREQ=MINUTELY repeats within a day"),
        ({"rrule": "FREQ=DAILY;BYHOUR=8,12,16"}, "at most 2 sessions a day"),
        ({"rrule": "nonsense"}, "rrule: This RRULE cannot be read"),
        # 02:30 at Chicago's own offsets on 8 March does not exist.
        ({"starts_at": "2026-03-08T02:30:00-06:00"}, "does not exist in America/Chicago"),
        (
            {"starts_at": "2026-03-08T02:30:00-06:00", "rrule": "FREQ=WEEKLY"},
            "does not exist in America/Chicago",
        ),
        # 01:30 on 1 November happens twice in Chicago: a series cannot start there.
        (
            {"starts_at": "2026-11-01T01:30:00-05:00", "rrule": "FREQ=WEEKLY"},
            "happens twice in America/Chicago",
        ),
        ({"starts_at": "2026-03-02T18:00:00"}, "offset"),
        ({"starts_at": "2026-02-01T18:00:00-06:00"}, "in the future"),
        ({"kind": "individual", "capacity": 4}, "capacity: Only group"),
        ({"facilitator": 999999}, "facilitator: No such user"),
        ({"duration_minutes": 2000}, "duration_minutes"),
    ],
)
def test_bad_input_is_422_with_nothing_written(
    world: World, client: HttpClient, change: dict[str, object], words: str
) -> None:
    headers = api_headers(world.dale)
    before = _snapshot()
    response = api_post(client, headers, "/api/v1/sessions", _body(world, **change))
    assert response.status_code == 422, response.content
    assert words in str(response.json()["detail"])
    assert _snapshot() == before


def test_a_time_with_another_offset_is_a_real_instant(world: World, client: HttpClient) -> None:
    """02:30Z on Chicago's change day is 20:30 CST the evening before, not a gap."""
    body = _body(world, starts_at="2026-03-08T02:30:00Z")
    response = api_post(client, api_headers(world.dale), "/api/v1/sessions", body)
    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == "2026-03-07T20:30:00-06:00"


def test_a_facilitator_clash_is_409_with_nothing_written(world: World, client: HttpClient) -> None:
    headers = api_headers(world.dale)
    assert api_post(client, headers, "/api/v1/sessions", _body(world)).status_code == 201
    before = _snapshot()
    clash = _body(world, starts_at="2026-03-02T20:00:00-06:00", kind="individual")
    response = api_post(client, headers, "/api/v1/sessions", clash)
    assert response.status_code == 409
    assert "Fran Facilitator already runs session" in response.json()["detail"]
    series = _body(world, starts_at="2026-02-23T19:00:00-06:00", rrule="FREQ=WEEKLY")
    assert api_post(client, headers, "/api/v1/sessions", series).status_code == 409
    assert _snapshot() == before


@pytest.mark.parametrize("name", ["birch_director", "birch_clinician", "cora", "ada", "alex"])
def test_others_may_not_schedule(world: World, client: HttpClient, name: str) -> None:
    headers = api_headers(persona(world, name))
    before = _snapshot()
    response = api_post(client, headers, "/api/v1/sessions", _body(world))
    assert response.status_code == 403
    assert "directors, clinicians and facilitators" in response.json()["detail"]
    assert _snapshot() == before


def test_an_unknown_program_is_404(world: World, client: HttpClient) -> None:
    body = _body(world, program=999999)
    assert api_post(client, api_headers(world.dale), "/api/v1/sessions", body).status_code == 404


# GET /clients/{id}/sessions -------------------------------------------------------------------


@pytest.fixture
def booked(world: World) -> SessionSeries:
    """Alex (moved to Asia/Kolkata) booked into a Mon/Wed 18:00 Chicago series."""
    world.alex.time_zone = "Asia/Kolkata"
    world.alex.save(update_fields=["time_zone"])
    series = series_create(
        program=world.program,
        kind="group",
        facilitator=world.fran,
        first_local_start=datetime(2026, 3, 2, 18),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE",
        actor=world.dale,
    )
    for session in series.sessions.all()[:4]:
        Booking.objects.create(session=session, client=world.alex, status="booked")
    waiting = series.sessions.all()[4]
    Booking.objects.create(session=waiting, client=world.alex, status="waitlisted")
    return series


def test_a_client_in_kolkata_sees_their_own_offset(
    world: World, client: HttpClient, booked: SessionSeries
) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/sessions?from=2026-03-01&to=2026-03-31"
    response = client.get(url, headers=api_headers(world.alex.user))
    assert response.status_code == 200, response.content
    starts = [s["starts_at"] for s in response.json()]
    # Mon 2 March 18:00 CST = 00:00 UTC Tue = 05:30 IST; after 8 March (CDT) 04:30 IST.
    assert starts == [
        "2026-03-03T05:30:00+05:30",
        "2026-03-05T05:30:00+05:30",
        "2026-03-10T04:30:00+05:30",
        "2026-03-12T04:30:00+05:30",
    ]  # the waitlisted fifth is not a seat
    event = AuditEvent.objects.filter(object_type="client_sessions").latest("seq")
    assert event.client_id == world.alex.pk and event.action == "read"


def test_a_cancelled_occurrence_is_listed_with_its_reason(
    world: World, client: HttpClient, booked: SessionSeries
) -> None:
    session_cancel(session=booked.sessions.all()[1], reason="Closed: Staff day", actor=world.dale)
    url = f"/api/v1/clients/{world.alex.pk}/sessions?from=2026-03-01&to=2026-03-05"
    body = client.get(url, headers=api_headers(world.casey)).json()
    assert [(s["status"], s["status_reason"]) for s in body] == [
        ("scheduled", ""),
        ("cancelled", "Closed: Staff day"),
    ]


def test_the_window_defaults_to_a_week_from_today(
    world: World, client: HttpClient, booked: SessionSeries
) -> None:
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        body = client.get(
            f"/api/v1/clients/{world.alex.pk}/sessions", headers=api_headers(world.alex.user)
        ).json()
    assert len(body) == 2


@pytest.mark.parametrize("name", ["quinn", "gale", "birch_director", "cora", "fay"])
def test_callers_who_may_not_see_the_client_get_404(
    world: World, client: HttpClient, booked: SessionSeries, name: str
) -> None:
    headers, director = api_headers(persona(world, name)), api_headers(world.dale)
    before = AuditEvent.objects.count()
    response = client.get(f"/api/v1/clients/{world.alex.pk}/sessions", headers=headers)
    assert response.status_code == 404
    assert client.get("/api/v1/clients/999999/sessions", headers=director).status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "query", ["from=yesterday", "from=2026-03-10&to=2026-03-01", "to=2026-03-01T00:00"]
)
def test_a_bad_window_is_422(world: World, client: HttpClient, query: str) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/sessions?{query}"
    assert client.get(url, headers=api_headers(world.alex.user)).status_code == 422
