"""A risky answer the client gave and then left unfinished still reaches a clinician: the
sweep raises one alert for a questionnaire untouched for 30 minutes, never a second; when
the client submits later, the response takes that alert instead of raising another (unless
the finished answers are more severe)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from openiop.conftest import World
from openiop.measures import instruments, services
from openiop.measures.instruments import Loaded
from openiop.measures.models import Draft
from openiop.measures.services import draft_save, response_submit, risky_drafts_alert
from openiop.measures.tests.support import cssrs, phq9
from openiop.safety.models import Alert

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def _loaded(world: World, code: str) -> Loaded:
    return next(x for x in instruments.available(world.program) if x.code == code)


def _answer(world: World, code: str, answers: dict) -> None:
    loaded = _loaded(world, code)
    for item_id, value in answers.items():
        draft_save(
            client=world.alex, loaded=loaded, item_id=item_id, raw=value, actor=world.alex.user
        )


def test_an_abandoned_risky_answer_alerts_once_after_30_minutes(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _answer(world, "phq9", {"1": 1, "2": 0, "9": 2})  # stopped after item 9
        clock.move_to(START + timedelta(minutes=29))
        assert risky_drafts_alert() == 0
        clock.move_to(START + timedelta(minutes=31))
        call_command("measures_sweep", verbosity=0)
        (alert,) = Alert.objects.filter(client=world.alex)
        assert alert.severity == "high"
        assert "PHQ-9 item 9 answered 2" in alert.reason and "not finished" in alert.reason
        assert Draft.objects.get().alert == alert
        assert risky_drafts_alert() == 0  # never a second one for the same draft
        # The client comes back and finishes: the response carries the same alert.
        answers = phq9(12, **{"9": 2})
        submitted = response_submit(
            client=world.alex, actor=world.alex.user, code="phq9", answers=answers
        )
    assert submitted.response.alert_id == alert.pk
    assert Alert.objects.filter(client=world.alex).count() == 1
    assert not Draft.objects.exists()


def test_a_draft_without_a_risky_answer_raises_nothing(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _answer(world, "phq9", {"1": 3, "2": 3, "9": 0})
        assert not Draft.objects.get().risky
        clock.move_to(START + timedelta(hours=5))
        assert risky_drafts_alert() == 0
    assert not Alert.objects.exists()


def test_older_unfinished_drafts_without_risk_never_hold_up_a_risky_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep reads only drafts whose saved answers were risky, so however many harmless
    drafts lie abandoned ahead of it, a risky one is reached on the next run."""
    monkeypatch.setattr(services, "SWEEP_BATCH", 1)
    with time_machine.travel(START, tick=False) as clock:
        _answer(world, "gad7", {"1": 2})  # older, harmless, never finished
        _answer(world, "phq9", {"1": 1, "9": 1})
        clock.move_to(START + timedelta(hours=1))
        assert risky_drafts_alert() == 1
    assert Alert.objects.get().severity == "moderate"


def test_finishing_with_more_severe_answers_raises_the_higher_alert(world: World) -> None:
    """C-SSRS left after item 3 (moderate); finished later with item 4 yes (high): a new,
    high alert, because the first one understated the risk."""
    with time_machine.travel(START, tick=False) as clock:
        _answer(world, "cssrs_screen", {"1": "yes", "2": "yes", "3": "yes"})
        clock.move_to(START + timedelta(minutes=45))
        assert risky_drafts_alert() == 1
        first = Alert.objects.get()
        assert first.severity == "moderate"
        answers = cssrs(q1=True, q2=True, q3=True, q4=True, q6=False)
        submitted = response_submit(
            client=world.alex, actor=world.alex.user, code="cssrs_screen", answers=answers
        )
    second = submitted.response.alert_id
    assert second is not None and second != first.pk
    assert Alert.objects.get(pk=second).severity == "high"
