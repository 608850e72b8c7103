"""No-show follow-up, the engagement flag on the caseload, and /caseload/needs/."""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.lib.slots import badges_for
from openiop.notify.models import Message, MessageState, Preference, StaffTask
from openiop.programs.models import Client, Phase
from openiop.programs.testing import fill_program
from openiop.scheduling.engagement import (
    CARING_BODY,
    _attendance_pct,
    _weeks,
    engagement_badges,
)
from openiop.scheduling.models import Session
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.tests.attendance_support import book, enroll, make_session

Login = Callable[[User], HttpClient]
CHICAGO = ZoneInfo("America/Chicago")
# Wednesday 2 December 2026, evening in Chicago.
EVENING = datetime(2026, 12, 2, 18, 0, tzinfo=CHICAGO)


def _group(world: World, day: int, hour: int = 18) -> Session:
    return make_session(world.program, world.fran, datetime(2026, 12, day, hour, tzinfo=CHICAGO))


def _mark(session: Session, client: Client, status: str, actor: User, reason: str = "") -> None:
    with time_machine.travel(session.starts_at + timedelta(minutes=30), tick=False):
        attendance_record(
            session=session,
            client=client,
            status=status,
            source="roster",
            actor=actor,
            reason=reason,
        )


def test_no_show_makes_a_same_day_task_for_the_primary_and_a_caring_message(
    world: World,
) -> None:
    session = _group(world, 2)
    book(session, world.alex)
    _mark(session, world.alex, "no_show", world.fran)
    task = StaffTask.objects.get()
    assert task.user == world.casey
    assert task.client_id == world.alex.pk
    assert task.due_at.astimezone(CHICAGO).date() == EVENING.date()
    assert task.link == reverse("programs:client_detail", args=[world.alex.pk])
    assert "missed a session" in task.title
    assert AuditEvent.objects.filter(object_type="staff_task", client_id=world.alex.pk).exists()
    caring = Message.objects.filter(user=world.alex.user, key__endswith=":care")
    assert {m.body for m in caring} == {CARING_BODY}
    # Recorded at 18:30 Chicago: before quiet hours, so it goes at once.
    assert {m.due_at for m in caring} == {session.starts_at + timedelta(minutes=30)}


def test_no_primary_clinician_means_the_facilitator_follows_up(world: World) -> None:
    session = _group(world, 2)
    book(session, world.blair)
    world.blair.care_team.all().delete()
    _mark(session, world.blair, "no_show", world.gale)
    assert StaffTask.objects.get().user == world.fran


def test_correcting_a_no_show_withdraws_the_task_and_the_message(world: World) -> None:
    session = _group(world, 2)
    book(session, world.alex)
    _mark(session, world.alex, "no_show", world.fran)
    _mark(session, world.alex, "excused", world.fran, reason="Called in sick beforehand")
    assert not StaffTask.objects.exists()
    caring = Message.objects.filter(user=world.alex.user, key__endswith=":care")
    assert {m.state for m in caring} == {MessageState.CANCELLED}


@time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=CHICAGO), tick=False)
def test_two_unexcused_absences_in_a_row_raise_the_flag(world: World) -> None:
    enroll(world.alex, Phase.ACTIVE)
    first, second = _group(world, 1), _group(world, 2)
    book(first, world.alex)
    book(second, world.alex)
    _mark(first, world.alex, "absent", world.fran)
    assert "Missed the last two sessions" not in _texts(world, world.alex)
    _mark(second, world.alex, "no_show", world.fran)
    assert "Missed the last two sessions" in _texts(world, world.alex)
    assert "No-show follow-up open" in _texts(world, world.alex)


@time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=CHICAGO), tick=False)
def test_an_excused_absence_between_breaks_the_run(world: World) -> None:
    sessions = [_group(world, 1), _group(world, 2), _group(world, 3)]
    for session, status in zip(sessions, ["absent", "present", "absent"], strict=True):
        book(session, world.alex)
        _mark(session, world.alex, status, world.fran)
    assert "Missed the last two sessions" not in _texts(world, world.alex)


@time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=CHICAGO), tick=False)
def test_a_week_whose_hours_cannot_be_met_raises_the_flag(world: World) -> None:
    enroll(world.alex, Phase.ACTIVE)  # 9 h a week required, nothing booked
    texts = _texts(world, world.alex)
    assert any(text.startswith("Can't meet this week's hours (0.00 of 9") for text in texts)


def test_a_refused_phone_number_is_shown_to_staff(world: World) -> None:
    Preference.objects.create(
        user=world.alex.user, phone="+13125550142", sms_on=True, phone_invalid_at=EVENING
    )
    assert "Mobile number refused by the text provider" in _texts(world, world.alex)


def _texts(world: World, client: Client) -> list[str]:
    return [badge.text for badge in engagement_badges(world.casey, [client.pk]).get(client.pk, [])]


# The page ---------------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=CHICAGO), tick=False)
def test_needs_page_sorts_by_need_and_explains(world: World, login_as: Login) -> None:
    enroll(world.alex, Phase.ACTIVE)
    quiet_client = fill_program(world.program, clients=1, primary=world.casey, prefix="calm")[0]
    first, second = _group(world, 1), _group(world, 2)
    for session in (first, second):
        book(session, world.alex, quiet_client)
        _mark(session, world.alex, "no_show", world.fran)
        _mark(session, quiet_client, "present", world.fran)
    http = login_as(world.casey)
    response = http.get(reverse("scheduling:engagement"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.client.pk for row in rows] == [world.alex.pk, quiet_client.pk]
    assert rows[0].attendance_pct == 0 and rows[1].attendance_pct == 100
    body = response.content.decode()
    assert "Missed the last two sessions" in body
    assert reverse("scheduling:engagement") in body  # the nav link
    assert AuditEvent.objects.filter(object_type="engagement", client_id=world.alex.pk).exists()


def test_needs_rows_take_the_same_queries_for_more_clients(world: World) -> None:
    """Our part of the page: attendance 1, hours 1 + 3 for the one program, and the
    engagement badges 1 (runs) + 4 (hours) + 1 (follow-ups) + 2 (bounced addresses). Other
    apps' badges are counted in their own tests (measures sets up its instruments on first
    use, which would blur this count)."""
    fill_program(world.program, clients=1, primary=world.casey, prefix="one")
    now = timezone.now()
    with CaptureQueriesContext(connection) as few:
        _attendance_pct([world.alex.pk], now)
        _weeks([world.alex.pk], now)
        engagement_badges(world.casey, [world.alex.pk])
    more = fill_program(world.program, clients=12, primary=world.casey, prefix="more")
    ids = [world.alex.pk, *[c.pk for c in more]]
    with CaptureQueriesContext(connection) as many:
        _attendance_pct(ids, now)
        _weeks(ids, now)
        engagement_badges(world.casey, ids)
    assert len(many) == len(few) == 13


def test_badges_for_merges_engagement_with_other_apps(world: World) -> None:
    Preference.objects.create(user=world.alex.user, email_invalid_at=EVENING)
    merged = badges_for(world.casey, [world.alex.pk])
    assert "Email address refused by the mail server" in [b.text for b in merged[world.alex.pk]]


@pytest.mark.parametrize("persona", ["alex", "fay", "cora"])
def test_needs_page_is_for_care_staff_only(world: World, login_as: Login, persona: str) -> None:
    user = getattr(world, persona)
    user = user.user if isinstance(user, Client) else user
    assert login_as(user).get(reverse("scheduling:engagement")).status_code == 404
