"""A program publishes its own instrument (validated against the schema), versioned."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from openiop.conftest import World
from openiop.measures import instruments
from openiop.measures.models import InstrumentVersion
from openiop.measures.services import instrument_publish


def custom_definition(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "sleep_diary",
        "name": "Sleep diary",
        "title": "Sleep diary (program's own)",
        "client_title": "Your sleep",
        "items": [
            {
                "id": "hours",
                "kind": "number",
                "min": 0,
                "max": 24,
                "step": 0.5,
                "scored": True,
                "text": "Hours slept last night",
            }
        ],
        "scoring": {"method": "item", "item": "hours", "min": 0, "max": 24},
        "default_schedule": {"every_days": 7},
    }
    data.update(changes)
    return data


def test_a_program_publishes_and_versions_its_own_instrument(world: World) -> None:
    first = instrument_publish(program=world.program, data=custom_definition(), actor=world.dale)
    second = instrument_publish(
        program=world.program, data=custom_definition(name="Sleep log"), actor=world.dale
    )
    assert (first.version, second.version) == (1, 2)
    codes = [x.code for x in instruments.available(world.program)]
    assert codes[-1] == "sleep_diary"
    assert "sleep_diary" not in [x.code for x in instruments.available(world.other_program)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (custom_definition(code="phq9"), "is taken"),
        (custom_definition(items=[]), "items"),
        (custom_definition(scoring={"method": "item", "item": "nope"}), "unknown items: nope"),
        ("not an object", "Input should be"),
    ],
)
def test_a_bad_or_clashing_definition_is_refused(world: World, data: Any, problem: str) -> None:
    instruments.available(world.program)
    before = InstrumentVersion.objects.count()
    with pytest.raises(ValidationError, match=problem):
        instrument_publish(program=world.program, data=data, actor=world.dale)
    assert InstrumentVersion.objects.count() == before
