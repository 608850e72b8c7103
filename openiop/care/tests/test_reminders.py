"""Homework reminders: discreet, on the morning of the due day in the client's zone, one per
occurrence, withdrawn when handed in."""

from datetime import UTC, datetime

import pytest
import time_machine

from openiop.care.models import Occurrence
from openiop.care.reminders import BODY, SUBJECT
from openiop.care.services import homework_save
from openiop.care.tests.support import assign, enroll
from openiop.conftest import World
from openiop.notify.models import Message, MessageState
from openiop.notify.services import clinical_words_in

pytestmark = pytest.mark.django_db


def test_reminder_per_occurrence_withdrawn_on_hand_in(world: World) -> None:
    enroll(world.alex)
    with time_machine.travel(datetime(2026, 3, 4, 15, 0, tzinfo=UTC), tick=False):
        assign(world.alex, world.casey, repeat="daily", days=1, until_days=2)
        occurrences = list(Occurrence.objects.order_by("due_on"))
        keys = {m.key for m in Message.objects.all()}
        assert keys == {f"care:homework:{o.pk}:due" for o in occurrences}
        first = Message.objects.filter(key=f"care:homework:{occurrences[0].pk}:due").first()
        assert first is not None
        assert first.send_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # 9:00 in Chicago
        assert (first.subject, first.body) == (SUBJECT, BODY)
        assert clinical_words_in(f"{first.subject} {first.body} {first.link}") == []
        homework_save(
            occurrence=occurrences[0], actor=world.alex.user, answers={"a": "b"}, submit=True
        )
    first_states = set(
        Message.objects.filter(key=f"care:homework:{occurrences[0].pk}:due").values_list(
            "state", flat=True
        )
    )
    assert first_states == {MessageState.CANCELLED}
    later = Message.objects.filter(key=f"care:homework:{occurrences[1].pk}:due")
    assert set(later.values_list("state", flat=True)) == {MessageState.PENDING}


def test_due_today_after_nine_is_reminded_shortly(world: World) -> None:
    enroll(world.alex)
    now = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # 14:00 in Chicago
    with time_machine.travel(now, tick=False):
        assign(world.alex, world.casey, days=0)
    messages = list(Message.objects.all())  # one per channel the client chose
    assert messages and all(m.send_at > now for m in messages)
