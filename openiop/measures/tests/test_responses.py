"""Submitting a response: one transaction, a fixed number of queries, exactly one alert per
risky response, double taps de-duplicated, nothing written for bad answers."""

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.measures import instruments
from openiop.measures.models import Response
from openiop.measures.scoring import AnswersInvalid
from openiop.measures.services import UnknownInstrument, response_submit
from openiop.measures.tests.support import cssrs, phq9, spread
from openiop.safety.models import Alert

CHECKIN = {"mood": 4, "sleep": 6.5, "coping": "skill_2"}


def submit(world: World, code: str, answers: dict[str, Any], actor: Any = None) -> Any:
    return response_submit(
        client=world.alex, actor=actor or world.alex.user, code=code, answers=answers
    )


def test_a_response_is_scored_saved_and_audited(world: World) -> None:
    submitted = submit(world, "phq9", phq9(12))
    response = Response.objects.get()
    assert (response.total, response.band, response.risk, response.alert_id) == (
        12,
        "moderate",
        "",
        None,
    )
    assert submitted.response == response and not submitted.duplicate
    assert AuditEvent.objects.filter(
        object_type="measures.response", object_id=str(response.pk), client_id=world.alex.pk
    ).exists()


@pytest.mark.parametrize(
    ("code", "answers", "severity", "source"),
    [
        ("phq9", phq9(3, **{"9": 1}), "moderate", "measure"),
        ("phq9", phq9(3, **{"9": 2}), "high", "measure"),
        ("cssrs_screen", cssrs(q2=True, q3=True), "moderate", "measure"),
        ("cssrs_screen", cssrs(q6=True, recent=False), "moderate", "measure"),
        ("cssrs_screen", cssrs(q2=True, q4=True), "high", "measure"),
        ("cssrs_screen", cssrs(q6=True, recent=True), "high", "measure"),
        ("daily_checkin", {**CHECKIN, "note": "I want to end my life"}, "high", "checkin"),
    ],
)
def test_each_risk_rule_raises_exactly_one_alert(
    world: World, code: str, answers: dict[str, Any], severity: str, source: str
) -> None:
    submitted = submit(world, code, answers)
    alert = Alert.objects.get()  # exactly one
    response = Response.objects.get()
    assert (alert.severity, alert.source, alert.client_id) == (severity, source, world.alex.pk)
    assert alert.source_ref == f"measures.response:{response.pk}"
    assert response.alert_id == alert.pk == submitted.alert.pk
    assert response.risk == severity


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("phq9", phq9(27)),  # item 9 = 3 but also a severe total: one alert
        ("phq9", phq9(0)),
        ("cssrs_screen", cssrs(q1=True)),  # low: no alert
        ("cssrs_screen", cssrs()),
        ("daily_checkin", {**CHECKIN, "note": "Slept badly, phone died."}),
        ("gad7", spread(21, 7, 3)),
        ("pcl5", spread(80, 20, 4)),
    ],
)
def test_no_more_than_one_alert_and_none_without_a_risk_rule(
    world: World, code: str, answers: dict[str, Any]
) -> None:
    submitted = submit(world, code, answers)
    expected = 1 if submitted.response.risk else 0
    assert Alert.objects.count() == expected
    if code == "phq9" and answers["9"] == 3:
        assert expected == 1


def test_several_rules_firing_still_make_one_alert_with_every_reason(world: World) -> None:
    # A check-in whose note matches the crisis list twice over is still one rule; a C-SSRS
    # that is high by item 4 and by 6-within-3-months: one high alert.
    submit(world, "cssrs_screen", cssrs(q2=True, q3=True, q4=True, q6=True, recent=True))
    alert = Alert.objects.get()
    assert alert.severity == "high"
    assert "C-SSRS screen triage: high" in alert.reason


def test_phq9_item9_makes_the_cssrs_due(world: World) -> None:
    submit(world, "phq9", phq9(2, **{"9": 1}))
    assert Response.objects.get().makes_due == "cssrs_screen"


BAD = [
    ("phq9", {"1": 0}, "Item 2: is missing."),
    ("phq9", phq9(0, **{"9": 7}), "Item 9: choose one of"),
    ("cssrs_screen", {"1": False, "2": False, "4": True, "6": False}, "Item 4: was not asked"),
    ("nope", {"1": 0}, "Unknown instrument 'nope'."),
]


@pytest.mark.parametrize(("code", "answers", "message"), BAD)
def test_bad_input_writes_nothing(
    world: World, code: str, answers: dict[str, Any], message: str
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(AnswersInvalid, match=message):
        submit(world, code, answers)
    assert not Response.objects.exists()
    assert not Alert.objects.exists()
    assert AuditEvent.objects.count() == before


def test_another_programs_instrument_is_unknown(world: World) -> None:
    from openiop.measures.services import instrument_publish
    from openiop.measures.tests.test_instrument_upload import custom_definition

    instrument_publish(program=world.other_program, data=custom_definition(), actor=None)
    with pytest.raises(UnknownInstrument):
        submit(world, "sleep_diary", {"hours": 7})


def test_a_double_tap_returns_the_first_response(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False) as clock:
        first = submit(world, "phq9", phq9(8))
        clock.shift(9)
        second = submit(world, "phq9", phq9(8))
        assert second.duplicate and second.response.pk == first.response.pk
        assert Response.objects.count() == 1
        clock.shift(2)  # 11 s after the first: a new administration
        third = submit(world, "phq9", phq9(8))
        assert not third.duplicate
        assert Response.objects.count() == 2


def test_different_answers_or_another_person_are_new_administrations(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        submit(world, "phq9", phq9(8))
        assert not submit(world, "phq9", phq9(9)).duplicate
        assert not submit(world, "phq9", phq9(8), actor=world.casey).duplicate
    assert Response.objects.count() == 3


def test_a_risky_double_tap_raises_one_alert(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        first = submit(world, "phq9", phq9(3, **{"9": 2}))
        second = submit(world, "phq9", phq9(3, **{"9": 2}))
    assert second.response.alert_id == first.response.alert_id
    assert Alert.objects.count() == 1


# Queries of one submission, whatever the instrument: the instrument's current version,
# SAVEPOINT (the service's atomic block inside the test's), the client row lock, the
# double-tap look-up, the response insert, the draft delete, the audit event (chain head
# read + insert; PostgreSQL adds its advisory lock), RELEASE SAVEPOINT.
@pytest.mark.parametrize(
    ("code", "answers"),
    [("phq9", phq9(14)), ("pcl5", spread(40, 20, 4)), ("gad7", spread(3, 7, 3))],
)
def test_scoring_and_saving_takes_a_fixed_number_of_queries(
    world: World,
    django_assert_num_queries: Callable[..., Any],
    code: str,
    answers: dict[str, Any],
) -> None:
    from django.db import connection

    instruments.available(world.program)  # the process's first use loads the built-ins
    expected = 10 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(expected):
        submit(world, code, answers)


def test_nothing_is_half_written_when_the_alert_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("safety is down")

    monkeypatch.setattr("openiop.measures.services.alert_raise", broken)
    with pytest.raises(RuntimeError):
        submit(world, "phq9", phq9(3, **{"9": 2}))
    assert not Response.objects.exists()


def test_client_answers_through_the_api_get_the_first_response_on_a_double_tap(
    world: World, client: HttpClient
) -> None:
    from openiop.programs.tests.enrollment_support import api_headers, api_post

    headers = api_headers(world.alex.user)
    url = f"/api/v1/clients/{world.alex.pk}/responses"
    body = {"instrument": "phq9", "answers": phq9(3, **{"9": 1})}
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        first = api_post(client, headers, url, body)
        again = api_post(client, headers, url, body)
    assert first.status_code == 201, first.content
    data = first.json()
    alert = Alert.objects.get()
    assert data == {
        "id": Response.objects.get().pk,
        "total": 4,
        "band": "minimal",
        "flags": ["item9_positive", "item9"],
        "alert_id": alert.pk,
    }
    assert again.status_code == 200 and again.json() == data
