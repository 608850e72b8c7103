"""POST /sessions/{id}/attendance, GET /clients/{id}/hours, GET /me/calendar."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.conftest import World
from openiop.programs.models import Phase
from openiop.programs.tests.enrollment_support import api_headers, api_post, persona
from openiop.scheduling.models import Attendance, CalendarFeed, Session
from openiop.scheduling.services.attendance import NOT_BOOKED, REASON_NEEDED
from openiop.scheduling.tests.attendance_support import book, enroll, make_session

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def session(world: World) -> Session:
    start = timezone.now().replace(microsecond=0) - timedelta(hours=4)
    session = make_session(world.program, world.fran, start)
    book(session, world.alex, world.blair)
    return session


def _url(session: Session) -> str:
    return f"/api/v1/sessions/{session.pk}/attendance"


def test_facilitator_records_present_with_times(
    world: World, session: Session, client: HttpClient
) -> None:
    body = {
        "client": world.alex.pk,
        "status": "present",
        "joined_at": (session.starts_at + timedelta(minutes=10)).isoformat(),
        "left_at": session.ends_at.isoformat(),
    }
    response = api_post(client, api_headers(world.fran), _url(session), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["credited_minutes"] == 170 and data["supersedes"] is None
    record = Attendance.objects.get(pk=data["id"])
    assert (record.source, record.recorded_by) == ("api", world.fran)


def test_a_correction_over_the_api_needs_a_reason(
    world: World, session: Session, client: HttpClient
) -> None:
    headers = api_headers(world.dale)
    first = api_post(client, headers, _url(session), {"client": world.alex.pk, "status": "absent"})
    assert first.status_code == 201
    again = api_post(client, headers, _url(session), {"client": world.alex.pk, "status": "present"})
    assert again.status_code == 409 and again.json() == {"detail": REASON_NEEDED}
    fixed = api_post(
        client,
        headers,
        _url(session),
        {"client": world.alex.pk, "status": "present", "reason": "recorded in error"},
    )
    assert fixed.status_code == 201 and fixed.json()["supersedes"] == first.json()["id"]


@pytest.mark.parametrize(
    ("body", "with_client"),
    [
        ({"status": "present"}, False),
        ({"status": "asleep"}, True),
        ({"status": "present", "joined_at": "2001-01-01T00:00:00+00:00"}, True),
        ({"status": "absent", "joined_at": "now"}, True),
        ({"status": "absent", "joined_at": "2026-02-02T10:00:00"}, True),  # no offset
    ],
)
def test_bad_bodies_are_422(
    world: World, session: Session, client: HttpClient, body: dict[str, object], with_client: bool
) -> None:
    if with_client:
        body = {"client": world.alex.pk, **body}
    response = api_post(client, api_headers(world.fran), _url(session), body)
    assert response.status_code == 422
    assert not Attendance.objects.exists()


def test_a_client_not_booked_is_409(world: World, client: HttpClient) -> None:
    session = make_session(world.program, world.fran, timezone.now() - timedelta(hours=4))
    book(session, world.blair)
    response = api_post(
        client,
        api_headers(world.dale),
        _url(session),
        {"client": world.alex.pk, "status": "present"},
    )
    assert response.status_code == 409 and response.json() == {"detail": NOT_BOOKED}


@pytest.mark.parametrize(
    "name", ["birch_director", "birch_clinician", "cora", "ada", "alex", "fay"]
)
def test_outsiders_get_404(world: World, session: Session, client: HttpClient, name: str) -> None:
    response = api_post(
        client,
        api_headers(persona(world, name)),
        _url(session),
        {"client": world.alex.pk, "status": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_clinician_records_only_their_own_clients(
    world: World, session: Session, client: HttpClient
) -> None:
    headers = api_headers(world.casey)
    blair = api_post(client, headers, _url(session), {"client": world.blair.pk, "status": "absent"})
    assert blair.status_code == 404
    alex = api_post(client, headers, _url(session), {"client": world.alex.pk, "status": "absent"})
    assert alex.status_code == 201


# --- GET /clients/{id}/hours ------------------------------------------------------------------


def test_hours_of_a_week(world: World, client: HttpClient) -> None:
    enroll(world.alex, Phase.ACTIVE)
    monday = make_session(world.program, world.fran, datetime(2026, 2, 2, 18, tzinfo=CHICAGO))
    book(monday, world.alex)
    Attendance.objects.create(session=monday, client=world.alex, status="present", source="roster")
    for name in ("alex", "casey", "fran", "dale"):
        response = client.get(
            f"/api/v1/clients/{world.alex.pk}/hours?week=2026-W06",
            headers=api_headers(persona(world, name)),
        )
        assert response.status_code == 200
        data = response.json()
        assert (data["attended_hours"], data["required_hours"], data["billable_days"]) == (3, 9, 1)
        assert data["week"] == "2026-W06" and data["cannot_meet"] is True
        assert data["days"][0] == {"date": "2026-02-02", "attended_hours": 3.0, "billable": True}


@pytest.mark.parametrize("week", ["", "2026-6", "2026-W54", "W06"])
def test_a_bad_week_is_422_with_a_message(world: World, client: HttpClient, week: str) -> None:
    response = client.get(
        f"/api/v1/clients/{world.alex.pk}/hours", {"week": week}, headers=api_headers(world.casey)
    )
    assert response.status_code == 422
    assert "YYYY-Www" in response.json()["detail"]


@pytest.mark.parametrize("name", ["quinn", "gale", "blair", "birch_director", "cora", "ada"])
def test_hours_of_a_client_out_of_sight_are_404(
    world: World, client: HttpClient, name: str
) -> None:
    response = client.get(
        f"/api/v1/clients/{world.alex.pk}/hours?week=2026-W06",
        headers=api_headers(persona(world, name)),
    )
    assert response.status_code == 404


# --- GET /me/calendar -------------------------------------------------------------------------


def test_me_calendar_gives_a_working_feed_url(world: World, client: HttpClient) -> None:
    response = client.get("/api/v1/me/calendar", headers=api_headers(world.alex.user))
    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert CalendarFeed.objects.filter(user=world.alex.user, revoked_at__isnull=True).count() == 1


def test_me_calendar_needs_a_token(client: HttpClient, world: World) -> None:
    assert client.get("/api/v1/me/calendar").status_code == 401
