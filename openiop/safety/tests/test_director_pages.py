"""The director's on-call rota and local resources; a clinician's working hours."""

from collections.abc import Callable
from datetime import datetime, time

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.safety import routing
from openiop.safety.models import EmergencyResource, OnCallShift, StaffHours
from openiop.safety.tests.support import CHICAGO

pytestmark = pytest.mark.django_db


def test_director_adds_a_shift_in_the_program_zone_across_dst(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.dale)
    response = http.post(
        "/programs/maple/on-call/",
        {
            "starts_on": "2026-10-31",
            "starts_time": "17:00",
            "ends_on": "2026-11-02",
            "ends_time": "09:00",
            "primary": world.casey.pk,
            "backup": world.quinn.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    (shift,) = OnCallShift.objects.all()
    assert shift.starts_at == datetime(2026, 10, 31, 17, tzinfo=CHICAGO)  # CDT
    assert shift.ends_at == datetime(2026, 11, 2, 9, tzinfo=CHICAGO)  # CST
    assert (shift.ends_at - shift.starts_at).total_seconds() == 41 * 3600  # 40 h + the extra hour
    assert routing.shift_at(world.program, datetime(2026, 11, 1, 12, tzinfo=CHICAGO)) == shift


def test_bad_shifts_are_refused_with_nothing_written(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.dale)
    world.bclin_pk = world.birch_clinician.pk  # type: ignore[attr-defined]
    base = {"starts_on": "2026-12-01", "starts_time": "17:00", "primary": world.casey.pk}
    backwards = http.post(
        "/programs/maple/on-call/", {**base, "ends_on": "2026-12-01", "ends_time": "08:00"}
    )
    assert backwards.status_code == 400
    assert "must end after it starts" in backwards.content.decode()
    same = http.post(
        "/programs/maple/on-call/",
        {**base, "ends_on": "2026-12-02", "ends_time": "08:00", "backup": world.casey.pk},
    )
    assert same.status_code == 400
    outsider = http.post(
        "/programs/maple/on-call/",
        {
            **base,
            "ends_on": "2026-12-02",
            "ends_time": "08:00",
            "primary": world.birch_clinician.pk,
        },
    )
    assert outsider.status_code == 400
    assert not OnCallShift.objects.exists()


def test_only_the_programs_director_sees_the_rota_and_resources(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    for person in (world.casey, world.birch_director, world.alex.user):
        http = login_as(person)
        assert http.get("/programs/maple/on-call/").status_code == 404
        assert http.get("/programs/maple/emergency-resources/").status_code == 404


def test_director_keeps_local_resources(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.dale)
    empty = http.post("/programs/maple/emergency-resources/", {"label": "Nowhere", "country": "US"})
    assert empty.status_code == 400 and not EmergencyResource.objects.exists()
    saved = http.post(
        "/programs/maple/emergency-resources/",
        {
            "label": "Springfield, IL",
            "country": "US",
            "region": "IL",
            "city": "Springfield",
            "dispatch_phone": "217-555-0100",
        },
    )
    assert saved.status_code == 302
    (resource,) = EmergencyResource.objects.all()
    page = http.get(f"/programs/maple/emergency-resources/{resource.pk}/")
    assert "Springfield, IL" in page.content.decode()
    http.post(f"/programs/maple/emergency-resources/{resource.pk}/remove/")
    assert not EmergencyResource.objects.exists()


def test_clinician_sets_working_hours(world: World, login_as: Callable[[User], HttpClient]) -> None:
    http = login_as(world.casey)
    assert "business hours apply" in http.get("/alerts/working-hours/").content.decode()
    half = http.post("/alerts/working-hours/", {"start_0": "08:00"})
    assert half.status_code == 400 and not StaffHours.objects.exists()
    http.post("/alerts/working-hours/", {"start_0": "08:00", "end_0": "12:00"})
    (row,) = StaffHours.objects.all()
    assert (row.weekday, row.start, row.end) == (0, time(8), time(12))
    monday_9 = datetime(2026, 11, 30, 9, tzinfo=CHICAGO)
    assert routing.is_working(world.casey, world.program, monday_9)
    assert not routing.is_working(world.casey, world.program, monday_9.replace(day=2, month=12))
    assert login_as(world.alex.user).get("/alerts/working-hours/").status_code == 404


def test_the_directors_home_links_to_the_rota_and_resources(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    body = login_as(world.dale).get("/").content.decode()
    assert 'href="/programs/maple/on-call/"' in body
    assert 'href="/programs/maple/emergency-resources/"' in body
    assert "/on-call/" not in login_as(world.casey).get("/").content.decode()
