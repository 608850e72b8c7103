"""Answer sets and small helpers shared by the measures tests."""

from typing import Any

from openiop.measures.instruments import builtin_definition
from openiop.measures.schema import Definition, definition_parse


def definition(code: str) -> Definition:
    return definition_parse(builtin_definition(code))


def spread(total: int, items: int, top: int) -> dict[str, int]:
    """Answers to items 1..`items` (each 0..`top`) that add up to `total`, filled from item 1
    (so item 9 of the PHQ-9 stays 0 below 25)."""
    answers = {}
    left = total
    for number in range(1, items + 1):
        value = min(top, left)
        answers[str(number)] = value
        left -= value
    assert left == 0, "total out of range"
    return answers


def phq9(total: int, **extra: Any) -> dict[str, Any]:
    answers: dict[str, Any] = spread(total, 9, 3)
    answers.update(extra)
    return answers


def cssrs(**yes: bool) -> dict[str, bool]:
    """C-SSRS screen answers: items 1, 2 and 6 always; 3–5 when 2 is yes; 6_recent when 6 is."""
    answers = {"1": yes.get("q1", False), "2": yes.get("q2", False), "6": yes.get("q6", False)}
    if answers["2"]:
        answers.update({str(n): yes.get(f"q{n}", False) for n in (3, 4, 5)})
    if answers["6"]:
        answers["6_recent"] = yes.get("recent", False)
    return answers
