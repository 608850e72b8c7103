"""The unsigned-notes queue: due within 24 hours of the session's end, overdue after; the
director's overdue counts per clinician; the staff home panel and nav link; fixed queries."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.notes.models import Supervision
from openiop.notes.selectors import note_queue, overdue_by_clinician
from openiop.notes.services import group_note_save, note_save, note_sign, note_start
from openiop.notes.tests.support import attend, group_members, past_session
from openiop.scheduling.models import Booking

Login = Callable[[User], HttpClient]
AssertQueries = Callable[[int], ContextManager[object]]
NOON = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@time_machine.travel(NOON, tick=False)
def test_due_then_overdue_then_gone_when_signed(world: World) -> None:
    session = past_session(world, ended_ago=timedelta(hours=2))
    attend(session, world.alex)
    queue = note_queue(world.casey, timezone.now())
    assert [(i.session, i.client) for i in queue.due] == [(session, world.alex)]
    assert queue.overdue == []
    later = timezone.now() + timedelta(hours=22, seconds=1)  # 24 h after the end
    queue = note_queue(world.casey, later)
    assert queue.due == [] and len(queue.overdue) == 1
    note = note_start(session=session, client=world.alex, actor=world.casey)
    assert note_queue(world.casey, later).overdue[0].draft_id == note.pk  # a draft still owes
    sections = {"data": "d", "assessment": "a", "plan": "p"}
    note_sign(note=note_save(note=note, actor=world.casey, sections=sections), actor=world.casey)
    assert note_queue(world.casey, later).items == []
    assert note_queue(world.fran, later).items == []  # not Fran's session


@time_machine.travel(NOON, tick=False)
def test_group_sessions_owe_one_group_note_and_the_director_sees_counts(world: World) -> None:
    members = group_members(world, 2)
    group = past_session(world, kind="group", minutes=90, clients=tuple(members))
    old = past_session(world, ended_ago=timedelta(days=2))  # Casey's, overdue
    attend(old, world.alex)
    fran = note_queue(world.fran, timezone.now())
    assert [(i.session, i.client) for i in fran.due] == [(group, None)]
    in_two_days = timezone.now() + timedelta(days=2)
    rows = overdue_by_clinician(world.dale, in_two_days)
    assert {(r.name, r.overdue) for r in rows} == {("Casey Primary", 1), ("Fran Facilitator", 1)}
    assert overdue_by_clinician(world.birch_director, in_two_days) == []
    assert overdue_by_clinician(world.casey, in_two_days) == []
    for client in members:
        attend(group, client)
    group_note_save(
        session=group,
        actor=world.fran,
        summary="Skills.",
        entries={c.pk: "Took part." for c in members},
        sign=True,
    )
    assert note_queue(world.fran, in_two_days).items == []


def test_awaiting_cosign_is_listed_for_the_supervisor(world: World) -> None:
    Supervision.objects.create(supervisee=world.casey, supervisor=world.quinn)
    session = past_session(world)
    attend(session, world.alex)
    note = note_start(session=session, client=world.alex, actor=world.casey)
    sections = {"data": "d", "assessment": "a", "plan": "p"}
    note_sign(note=note_save(note=note, actor=world.casey, sections=sections), actor=world.casey)
    assert note_queue(world.quinn, timezone.now()).to_cosign == [note]
    assert note_queue(world.casey, timezone.now()).items == []


def test_queue_page_panel_and_nav(world: World, login_as: Login) -> None:
    session = past_session(world, ended_ago=timedelta(days=2))
    attend(session, world.alex)
    http = login_as(world.casey)
    home = http.get("/").content.decode()
    assert 'href="/notes/">Notes to sign</a>' in home
    assert "<strong>1</strong> overdue, <strong>0</strong> due" in home
    page = http.get("/notes/").content.decode()
    assert "Alex Testperson" in page and "Write note" in page
    director = login_as(world.dale).get("/notes/").content.decode()
    assert "Casey Primary" in director
    assert login_as(world.cora).get("/notes/").status_code == 404
    assert login_as(world.alex.user).get("/notes/").status_code == 404


@pytest.mark.parametrize("user_name", ["casey", "dale"])
def test_queue_queries_do_not_grow(
    world: World, django_assert_num_queries: AssertQueries, user_name: str
) -> None:
    user = getattr(world, user_name)
    counts = []
    for total in (2, 10):
        have = Booking.objects.filter(session__facilitator=world.casey).count()
        for client in group_members(world, total - have, prefix=f"n{total}-"):
            past_session(world, clients=(client,), ended_ago=timedelta(hours=total))
        past_session(
            world, kind="group", clients=tuple(group_members(world, 1, prefix=f"g{total}"))
        )
        # The queue: seats of the user's sessions without a signed note (drafts as a
        # subquery), their group sessions without a signed group note, the co-sign list; a
        # director adds the overdue seats and group sessions counted per facilitator.
        with django_assert_num_queries(3 if user_name == "casey" else 5) as captured:
            note_queue(user, timezone.now())
            overdue_by_clinician(user, timezone.now() + timedelta(days=3))
        counts.append(len(captured.captured_queries))  # type: ignore[attr-defined]
    assert counts[0] == counts[1]
