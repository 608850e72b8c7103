"""Hybrid care: a session held in person at a partner location counts like any other and
shows its address instead of a Join button."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.conftest import World
from openiop.resources.models import PartnerLocation
from openiop.resources.services import partner_location_save
from openiop.scheduling.hours import IsoWeek, client_week_hours
from openiop.scheduling.models import Session
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.services.series import series_extend_all
from openiop.scheduling.tests.attendance_support import book, enroll, make_session

Login = Callable[[User], HttpClient]
CHICAGO = ZoneInfo("America/Chicago")


def _location(world: World) -> PartnerLocation:
    return partner_location_save(
        program=world.program,
        actor=world.dale,
        name="Northside Community Center (demo)",
        address_line="100 Example Ave",
        city="Chicago",
        region="IL",
        postal_code="60614",
        directions="Room 2, ground floor",
    )


def test_an_in_person_session_counts_in_the_weeks_hours(world: World) -> None:
    enroll(world.alex)
    place = _location(world)
    start = datetime(2026, 11, 17, 9, 0, tzinfo=CHICAGO)  # a Tuesday
    session = make_session(world.program, world.fran, start, minutes=180)
    Session.objects.filter(pk=session.pk).update(in_person_location=place)
    book(session, world.alex)
    attendance_record(
        session=session,
        client=world.alex,
        status="present",
        source="roster",
        actor=world.fran,
        now=start + timedelta(hours=4),
    )
    week = client_week_hours(world.alex, IsoWeek(2026, 47))
    assert week.attended_hours == Decimal("3.00")
    assert week.billable_days == 1


# A Wednesday morning in Chicago: both sessions below fall on the same day wherever the test
# runs (a start near midnight used to push the later one into the next day).
WEDNESDAY_9AM = datetime(2026, 11, 18, 9, 0, tzinfo=CHICAGO)


def test_my_week_shows_the_address_instead_of_join(world: World, login_as: Login) -> None:
    place = _location(world)
    start = WEDNESDAY_9AM + timedelta(minutes=5)
    in_person = make_session(world.program, world.fran, start, minutes=60)
    Session.objects.filter(pk=in_person.pk).update(in_person_location=place)
    online = make_session(world.program, world.gale, start + timedelta(hours=2), minutes=60)
    book(in_person, world.alex)
    book(online, world.alex)
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        page = login_as(world.alex.user).get("/my-week/").content.decode()
    assert "Northside Community Center (demo)" in page
    assert "100 Example Ave, Chicago, IL 60614" in page
    assert f"/sessions/{in_person.pk}/join/" not in page
    assert f"/sessions/{online.pk}/join/" in page


def test_staff_day_session_and_roster_pages_say_where(world: World, login_as: Login) -> None:
    """Fran's day shows the partner address instead of "Start / open room" for the session
    held in person; its session and roster pages say where too."""
    place = _location(world)
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        start = WEDNESDAY_9AM + timedelta(minutes=30)
        in_person = make_session(world.program, world.fran, start, minutes=60)
        Session.objects.filter(pk=in_person.pk).update(in_person_location=place)
        online = make_session(world.program, world.fran, start + timedelta(hours=2), minutes=60)
        book(in_person, world.alex)
        fran = login_as(world.fran)
        day = timezone.localdate(start, ZoneInfo(world.fran.time_zone))
        page = fran.get(f"/schedule/day/?date={day:%Y-%m-%d}").content.decode()
        assert "In person at Northside Community Center (demo), 100 Example Ave" in page
        assert f"/sessions/{in_person.pk}/join/" not in page
        assert f"/sessions/{online.pk}/join/" in page
        for path in (f"/schedule/sessions/{in_person.pk}/", f"/sessions/{in_person.pk}/roster/"):
            page = fran.get(path).content.decode()
            assert "In person at Northside Community Center (demo)" in page


def test_post_sessions_takes_a_partner_location(world: World, client: HttpClient) -> None:
    place = _location(world)
    raw, _ = api_token_issue(user=world.dale)
    body = {
        "kind": "individual",
        "program": world.program.pk,
        "starts_at": (timezone.now() + timedelta(days=3)).replace(microsecond=0).isoformat(),
        "facilitator": world.casey.pk,
        "in_person_location": place.pk,
    }
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.post(
        "/api/v1/sessions", json.dumps(body), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    assert response.json()["in_person_location"] == place.pk
    assert Session.objects.get(pk=response.json()["id"]).in_person_location == place
    other = partner_location_save(
        program=world.other_program,
        actor=world.birch_director,
        name="Elsewhere",
        address_line="1 Road",
    )
    body["in_person_location"] = other.pk
    refused = client.post(
        "/api/v1/sessions", json.dumps(body), content_type="application/json", headers=headers
    )
    assert refused.status_code == 422
    assert Session.objects.count() == 1


def test_the_series_form_holds_a_series_at_a_partner_location(
    world: World, login_as: Login
) -> None:
    place = _location(world)
    form = {
        "kind": "skills",
        "facilitator": world.fran.pk,
        "weekdays": ["TU"],
        "start_time": "10:00",
        "first_date": "2026-03-03",
        "last_date": "2026-03-24",
        "in_person_location": place.pk,
    }
    with time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=CHICAGO), tick=False):
        response = login_as(world.dale).post("/schedule/maple/series/new/", form)
    assert response.status_code == 302
    sessions = Session.objects.all()
    assert sessions.count() == 4
    assert {s.in_person_location_id for s in sessions} == {place.pk}


def test_a_series_keeps_its_partner_location_as_the_horizon_moves_on(
    world: World, client: HttpClient
) -> None:
    """POST /sessions with an rrule and a location: the occurrences written weeks later by
    the daily horizon job are held there too (they would otherwise offer a Join button)."""
    place = _location(world)
    raw, _ = api_token_issue(user=world.dale)
    body = {
        "kind": "skills",
        "program": world.program.pk,
        "starts_at": "2026-03-03T10:00:00-06:00",
        "facilitator": world.fran.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "in_person_location": place.pk,
    }
    with time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=CHICAGO), tick=False):
        response = client.post(
            "/api/v1/sessions",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 201, response.content
    assert response.json()["in_person_location"] == place.pk
    written = Session.objects.count()
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=CHICAGO), tick=False):
        assert series_extend_all() > 0
    sessions = Session.objects.all()
    assert sessions.count() > written
    assert {s.in_person_location_id for s in sessions} == {place.pk}
