"""The clinician's day (/schedule/day/) and the series form (/schedule/<slug>/series/new/)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.scheduling.models import Booking, Session, SessionSeries

Login = Callable[[User], HttpClient]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=UTC), tick=False):
        yield


def _sessions(world: World, n: int, day: datetime) -> None:
    """`n` back-to-back 10-minute sessions for Casey from `day` (UTC), each with a booking."""
    rows = [
        Session(
            program=world.program,
            kind="group",
            facilitator=world.casey,
            starts_at=day + timedelta(minutes=10 * i),
            ends_at=day + timedelta(minutes=10 * i + 10),
            capacity=12,
        )
        for i in range(n)
    ]
    Session.objects.bulk_create(rows)
    Booking.objects.bulk_create(
        Booking(session=s, client=world.alex, status="booked")
        for s in Session.objects.filter(facilitator=world.casey)
    )


def _count(client: HttpClient, url: str) -> tuple[int, list[str], bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"][:60] for q in queries], response.content


@pytest.mark.parametrize("n", [10, 100])
def test_the_day_view_runs_a_fixed_number_of_queries(world: World, login_as: Login, n: int) -> None:
    world.casey.time_zone = "America/Chicago"
    world.casey.save(update_fields=["time_zone"])
    # 06:00 UTC is midnight in Chicago: 100 ten-minute sessions stay within the day.
    _sessions(world, n, datetime(2026, 3, 3, 6, tzinfo=UTC))
    client = login_as(world.casey)
    status, queries, content = _count(client, "/schedule/day/?date=2026-03-03")
    assert status == 200
    assert content.count(b"<tr>") == n + 1  # header + one row per session
    assert b"1 of 12" in content and b"00:00\xe2\x80\x9300:10" in content
    # Middleware: session, user, OTP device. The page: the day's sessions with program, track
    # and seats taken (one query), the programs the user may schedule (one). Then the idle
    # timer's session save: savepoint, update, release.
    assert len(queries) == 8, queries


def test_the_day_is_the_users_own_day(world: World, login_as: Login) -> None:
    """An 18:00 Chicago session (00:00 UTC next day) is on Casey's Chicago day, and on the
    next day for a clinician in London."""
    start = datetime(2026, 3, 4, 0, tzinfo=UTC)
    Session.objects.create(
        program=world.program,
        kind="individual",
        facilitator=world.casey,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )
    world.casey.time_zone = "America/Chicago"
    world.casey.save(update_fields=["time_zone"])
    client = login_as(world.casey)
    assert b"18:00" in client.get("/schedule/day/?date=2026-03-03").content
    world.casey.time_zone = "Europe/London"
    world.casey.save(update_fields=["time_zone"])
    page = client.get("/schedule/day/?date=2026-03-04").content
    assert b"00:00" in page and b"Times in Europe/London" in page
    assert b"No sessions" in client.get("/schedule/day/?date=2026-03-03").content


def test_the_day_view_is_for_staff_who_schedule(world: World, login_as: Login) -> None:
    assert login_as(world.alex.user).get("/schedule/day/").status_code == 404
    assert login_as(world.cora).get("/schedule/day/").status_code == 404
    assert login_as(world.fran).get("/schedule/day/?date=nonsense").status_code == 200


def _form(world: World, **change: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "group",
        "facilitator": world.fran.pk,
        "weekdays": ["MO", "WE", "TH"],
        "start_time": "18:00",
        "first_date": "2026-03-02",
        "last_date": "2026-03-31",
        "duration_minutes": "",
        "capacity": "",
        "track": "",
    }
    data.update(change)
    return data


def test_a_director_creates_a_series_from_days_and_a_time(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    response = client.post("/schedule/maple/series/new/", _form(world))
    assert response.status_code == 302
    assert response["Location"] == "/schedule/day/?date=2026-03-02"
    series = SessionSeries.objects.get()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,WE,TH;UNTIL=20260331T235959"
    assert series.created_by == world.dale and series.duration_minutes == 180
    assert series.sessions.count() == 13  # Mon/Wed/Thu from 2 March to 31 March


def test_the_series_form_shows_refusals_and_writes_nothing(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    response = client.post(
        "/schedule/maple/series/new/",
        _form(world, start_time="02:30", first_date="2026-03-08", weekdays=["SU"]),
    )
    assert response.status_code == 400
    assert b"does not exist in America/Chicago" in response.content
    response = client.post("/schedule/maple/series/new/", _form(world, weekdays=[]))
    assert response.status_code == 400
    assert not SessionSeries.objects.exists()
    assert client.get("/schedule/maple/series/new/").status_code == 200


@pytest.mark.parametrize("name", ["birch_director", "cora", "alex"])
def test_the_series_form_is_404_outside_the_program(
    world: World, login_as: Login, name: str
) -> None:
    persona = getattr(world, name)
    user = getattr(persona, "user", persona)
    assert login_as(user).get("/schedule/maple/series/new/").status_code == 404


def test_staff_move_and_cancel_one_occurrence_from_its_page(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    client.post("/schedule/maple/series/new/", _form(world))
    first, second, third = Session.objects.order_by("starts_at")[:3]
    page = client.get(f"/schedule/sessions/{second.pk}/")
    assert page.status_code == 200 and b"Move this session" in page.content
    moved = client.post(
        f"/schedule/sessions/{second.pk}/move/", {"new_date": "2026-03-05", "new_time": "09:00"}
    )
    assert moved.status_code == 302
    second.refresh_from_db()
    assert second.moved_from == second.series_slot and second.starts_at.hour == 15  # 09:00 CST
    refused = client.post(
        f"/schedule/sessions/{third.pk}/move/", {"new_date": "2026-01-05", "new_time": "09:00"}
    )
    assert refused.status_code == 400 and b"Choose a start in the future" in refused.content
    assert client.post(f"/schedule/sessions/{third.pk}/cancel/", {"reason": ""}).status_code == 400
    done = client.post(f"/schedule/sessions/{third.pk}/cancel/", {"reason": "Facilitator unwell"})
    assert done.status_code == 302
    third.refresh_from_db()
    first.refresh_from_db()
    assert third.is_cancelled and third.status_reason == "Facilitator unwell"
    assert not first.is_cancelled and first.moved_from is None


@pytest.mark.parametrize("name", ["birch_director", "cora", "alex"])
def test_a_session_page_is_404_outside_the_program(
    world: World, login_as: Login, name: str
) -> None:
    session = Session.objects.create(
        program=world.program,
        kind="individual",
        facilitator=world.casey,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
        ends_at=datetime(2026, 3, 3, 16, tzinfo=UTC),
    )
    persona = getattr(world, name)
    client = login_as(getattr(persona, "user", persona))
    assert client.get(f"/schedule/sessions/{session.pk}/").status_code == 404
    response = client.post(f"/schedule/sessions/{session.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 404
    session.refresh_from_db()
    assert not session.is_cancelled
