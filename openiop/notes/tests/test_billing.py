"""Billing codes on worked examples: the suggestion rules at every boundary, and the codes a
signed note carries (session code from kind and minutes, S9480 when the day's hours meet the
program's minimum), changed only by the signer with a reason, the suggestion kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes import billing
from openiop.notes.models import ProgressNote
from openiop.notes.services import (
    group_note_save,
    note_codes_change,
    note_save,
    note_sign,
    note_start,
)
from openiop.notes.tests.support import attend, past_session
from openiop.scheduling.models import Session


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, ""),
        (15, ""),
        (16, "90832"),
        (37, "90832"),
        (38, "90834"),
        (52, "90834"),
        (53, "90837"),
        (90, "90837"),
    ],
)
def test_individual_code_by_minutes(minutes: int, code: str) -> None:
    suggestion = billing.suggest_code("individual", minutes, client_attended=True)
    assert suggestion.code == code
    assert suggestion.reason == ("" if code else billing.TOO_SHORT)


@pytest.mark.parametrize(
    ("kind", "came", "code"),
    [
        ("group", True, "90853"),
        ("group", False, ""),
        ("family", True, "90847"),
        ("family", False, "90846"),
        ("intake", True, "90791"),
        ("individual", False, ""),
    ],
)
def test_code_by_kind(kind: str, came: bool, code: str) -> None:
    assert billing.suggest_code(kind, 60, client_attended=came).code == code


@pytest.mark.parametrize(
    ("hours", "minimum", "already", "code"),
    [
        ("3.00", "3", False, "S9480"),
        ("2.99", "3", False, ""),
        ("4.50", "3", True, ""),
        ("0", "0", False, ""),
    ],
)
def test_day_code(hours: str, minimum: str, already: bool, code: str) -> None:
    assert billing.suggest_day_code(Decimal(hours), Decimal(minimum), already=already) == code


def _signed(world: World, session: Session, minutes: int | None = None) -> ProgressNote:
    note = note_start(session=session, client=world.alex, actor=world.casey)
    sections = {"data": "d", "assessment": "a", "plan": "p"}
    note = note_save(note=note, actor=world.casey, sections=sections, duration_minutes=minutes)
    return note_sign(note=note, actor=world.casey)


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(15, ""), (16, "90832"), (37, "90832"), (38, "90834"), (52, "90834"), (53, "90837")],
)
def test_a_signed_individual_note_carries_the_code_of_its_attended_minutes(
    world: World, minutes: int, code: str
) -> None:
    session = past_session(world, minutes=60)
    attend(session, world.alex, minutes=minutes)
    note = note_start(session=session, client=world.alex, actor=world.casey)
    assert note.duration_minutes == minutes  # prefilled from attendance
    note = _signed(world, session)
    assert (note.suggested_code, note.code) == (code, code)
    assert note.code_note == ("" if code else billing.TOO_SHORT)
    assert note.day_code == ""  # under an hour: far from the program's 3-hour day


def test_family_and_intake_codes(world: World) -> None:
    family = past_session(world, kind="family", minutes=60)
    attend(family, world.alex, "absent")
    note = note_start(session=family, client=world.alex, actor=world.casey)
    assert not note.client_attended
    note = _signed(world, family)
    assert note.code == "90846"  # family without the client
    intake = past_session(world, kind="intake", minutes=90, ended_ago=timedelta(hours=3))
    attend(intake, world.alex)
    assert _signed(world, intake).code == "90791"


@time_machine.travel("2026-03-04 23:00Z", tick=False)  # 17:00 in Chicago: one local day
def test_the_day_code_when_the_days_hours_meet_the_minimum_and_only_once(world: World) -> None:
    # 3-hour group (Fran) then a 50-minute individual the same evening: the program's
    # billable day is 3 hours, so the day is billable; S9480 goes on the first signed note.
    individual = past_session(world, minutes=50, ended_ago=timedelta(minutes=10))
    group = past_session(
        world, kind="group", minutes=180, ended_ago=timedelta(hours=1), clients=(world.alex,)
    )
    attend(group, world.alex)
    attend(individual, world.alex)
    note = _signed(world, individual)
    assert (note.code, note.day_code) == ("90834", "S9480")

    saved = group_note_save(
        session=group,
        actor=world.fran,
        summary="Skills practice on distress tolerance.",
        entries={world.alex.pk: "Took part."},
        sign=True,
    )
    (entry,) = saved.entries
    assert (entry.code, entry.day_code) == ("90853", "")  # the day already carries S9480


def test_a_short_day_has_no_day_code(world: World) -> None:
    session = past_session(world, minutes=60)
    attend(session, world.alex)
    assert _signed(world, session).day_code == ""


def test_the_signer_changes_codes_with_a_reason_and_the_suggestion_stays(world: World) -> None:
    session = past_session(world, minutes=60)
    attend(session, world.alex, minutes=40)
    note = _signed(world, session)
    with pytest.raises(ValidationError) as refused:
        note_codes_change(note=note, actor=world.casey, code="90837", day_code="", reason=" ")
    assert "reason" in refused.value.error_dict
    with pytest.raises(ValidationError):
        note_codes_change(note=note, actor=world.casey, code="99999", day_code="", reason="x")
    with pytest.raises(PermissionDenied):
        note_codes_change(note=note, actor=world.quinn, code="90837", day_code="", reason="x")
    note.refresh_from_db()
    assert note.code == "90834"
    note = note_codes_change(
        note=note, actor=world.casey, code="90837", day_code="", reason="Crisis extension"
    )
    assert (note.suggested_code, note.code) == ("90834", "90837")
    assert note.code_changed_reason == "Crisis extension"
    event = AuditEvent.objects.get(object_type="note_billing_codes")
    assert event.client_id == world.alex.pk and "Crisis" not in event.reason
