"""The program's closures page (/programs/<slug>/closures/): list and add a closed day."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.tests.enrollment_support import persona
from openiop.scheduling.models import Closure, Session, SessionStatus
from openiop.scheduling.tests.booking_helpers import session

Login = Callable[[User], HttpClient]
CHICAGO = ZoneInfo("America/Chicago")
URL = "/programs/maple/closures/"
# 22:00 on Wednesday 25 November in Chicago: already Thursday the 26th in UTC.
NOW = datetime(2026, 11, 25, 22, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _snapshot() -> tuple[int, int, list[tuple[int, str, str]]]:
    sessions = list(Session.objects.values_list("pk", "status", "status_reason").order_by("pk"))
    return Closure.objects.count(), AuditEvent.objects.count(), sessions


def test_a_closure_cancels_that_days_sessions_saying_why(world: World, login_as: Login) -> None:
    thursday = [
        session(world.program, world.fran, datetime(2026, 11, 26, hour, tzinfo=CHICAGO))
        for hour in (0, 18, 23)
    ]
    friday = session(world.program, world.fran, datetime(2026, 11, 27, 0, 30, tzinfo=CHICAGO))
    http = login_as(world.dale)
    response = http.post(URL, {"date": "2026-11-26", "reason": "Thanksgiving"})
    assert response.status_code == 302
    closure = Closure.objects.get(program=world.program)
    assert (closure.date, closure.reason) == (date(2026, 11, 26), "Thanksgiving")
    for s in thursday:
        s.refresh_from_db()
        assert (s.status, s.status_reason) == (SessionStatus.CANCELLED, "Closed: Thanksgiving")
    friday.refresh_from_db()
    assert friday.status == SessionStatus.SCHEDULED
    assert AuditEvent.objects.filter(object_type="closure", object_id=closure.pk).exists()
    page = http.get(URL).content.decode()
    assert "Thursday 26 November 2026: Thanksgiving" in page
    detail = http.get(f"/schedule/sessions/{thursday[1].pk}/").content.decode()
    assert "Cancelled: Closed: Thanksgiving" in detail


def test_today_in_the_programs_zone_is_allowed(world: World, login_as: Login) -> None:
    response = login_as(world.dale).post(URL, {"date": "2026-11-25", "reason": "Snow"})
    assert response.status_code == 302
    assert Closure.objects.filter(date=date(2026, 11, 25)).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-11-24", "reason": "Too late"}, "2026-11-24 has passed"),
        ({"date": "2026-12-25", "reason": "  "}, "This field is required"),
        ({"date": "not a date", "reason": "Holiday"}, "Enter a valid date"),
    ],
)
def test_a_bad_closure_is_refused_and_nothing_written(
    world: World, login_as: Login, data: dict[str, str], message: str
) -> None:
    session(world.program, world.fran, datetime(2026, 11, 24, 18, tzinfo=CHICAGO))
    http = login_as(world.dale)
    before = _snapshot()
    response = http.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before


def test_a_duplicate_closure_is_refused_and_nothing_written(world: World, login_as: Login) -> None:
    http = login_as(world.dale)
    assert http.post(URL, {"date": "2026-12-25", "reason": "Christmas"}).status_code == 302
    late = session(world.program, world.fran, datetime(2026, 12, 25, 18, tzinfo=CHICAGO))
    before = _snapshot()
    response = http.post(URL, {"date": "2026-12-25", "reason": "Again"})
    assert response.status_code == 400
    assert "already closed on 2026-12-25" in response.content.decode()
    assert _snapshot() == before
    late.refresh_from_db()
    assert late.status == SessionStatus.SCHEDULED  # refused: the service was not run


def test_past_closures_are_not_listed(world: World, login_as: Login) -> None:
    Closure.objects.create(program=world.program, date=date(2026, 11, 1), reason="Long ago")
    Closure.objects.create(program=world.other_program, date=date(2026, 12, 1), reason="Birch")
    body = login_as(world.dale).get(URL).content.decode()
    assert "Long ago" not in body and "Birch" not in body
    assert "No closures ahead." in body


@pytest.mark.parametrize(
    "name", ["birch_director", "casey", "quinn", "fran", "gale", "cora", "ada", "alex", "fay"]
)
def test_only_the_programs_directors_open_or_post_it(
    world: World, login_as: Login, name: str
) -> None:
    http = login_as(persona(world, name))
    assert http.get(URL).status_code == 404
    response = http.post(URL, {"date": "2026-12-25", "reason": "Christmas"})
    assert response.status_code == 404
    assert not Closure.objects.exists()


def test_the_program_board_links_to_it(world: World, login_as: Login) -> None:
    body = login_as(world.dale).get("/programs/maple/board/").content.decode()
    assert f'href="{URL}"' in body
