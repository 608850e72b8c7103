"""Exact scoring from the definitions: every band boundary, the PCL-5 flags, every C-SSRS
screen path, the check-in, and the refusals of bad answers. No database needed."""

import json
from typing import Any

import pytest

from openiop.measures.instruments import BUILTIN_CODES, builtin_definition
from openiop.measures.schema import definition_parse
from openiop.measures.scoring import (
    AnswersInvalid,
    asked_items,
    check_answers,
    matches_list,
    score,
)
from openiop.measures.tests.support import cssrs, definition, phq9, spread

PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    d = definition("phq9")
    result = score(d, check_answers(d, phq9(total)))
    assert (result.total, result.band) == (total, band)


def test_phq9_difficulty_item_is_optional_and_unscored() -> None:
    d = definition("phq9")
    with_difficulty = score(d, check_answers(d, phq9(7, difficulty=3)))
    without = score(d, check_answers(d, phq9(7)))
    assert with_difficulty.total == without.total == 7


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    d = definition("gad7")
    result = score(d, check_answers(d, spread(total, 7, 3)))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band", "probable"),
    [
        (0, "below_cutoff", False),
        (32, "below_cutoff", False),
        (33, "at_or_above_cutoff", True),
        (80, "at_or_above_cutoff", True),
    ],
)
def test_pcl5_total_band_and_probable_ptsd_at_33(total: int, band: str, probable: bool) -> None:
    d = definition("pcl5")
    result = score(d, check_answers(d, spread(total, 20, 4)))
    assert (result.total, result.band) == (total, band)
    assert ("probable_ptsd" in result.flags) is probable


def _pcl5(rated_two: list[int]) -> dict[str, int]:
    return {str(n): (2 if n in rated_two else 1) for n in range(1, 21)}


@pytest.mark.parametrize(
    ("rated_two", "met"),
    [
        ([1, 6, 8, 9, 15, 16], True),  # exactly the minimum in every cluster
        ([5, 7, 13, 14, 19, 20], True),
        ([6, 8, 9, 15, 16], False),  # nothing in B (items 1–5)
        ([1, 8, 9, 15, 16], False),  # nothing in C (6–7)
        ([1, 6, 8, 15, 16], False),  # one in D (8–14)
        ([1, 6, 8, 9, 15], False),  # one in E (15–20)
        ([], False),
    ],
)
def test_pcl5_dsm5_cluster_rule_counts_items_rated_two_or_more(
    rated_two: list[int], met: bool
) -> None:
    d = definition("pcl5")
    result = score(d, check_answers(d, _pcl5(rated_two)))
    assert ("dsm5_cluster_rule" in result.flags) is met


# Every path through the C-SSRS screen: (answers, triage, asked items).
CSSRS_PATHS = [
    ({}, "none", ["1", "2", "6"]),
    ({"q1": True}, "low", ["1", "2", "6"]),
    ({"q2": True}, "low", ["1", "2", "3", "4", "5", "6"]),
    ({"q1": True, "q2": True}, "low", ["1", "2", "3", "4", "5", "6"]),
    ({"q2": True, "q3": True}, "moderate", ["1", "2", "3", "4", "5", "6"]),
    ({"q2": True, "q4": True}, "high", ["1", "2", "3", "4", "5", "6"]),
    ({"q2": True, "q5": True}, "high", ["1", "2", "3", "4", "5", "6"]),
    ({"q2": True, "q3": True, "q4": True, "q5": True}, "high", ["1", "2", "3", "4", "5", "6"]),
    ({"q6": True, "recent": True}, "high", ["1", "2", "6", "6_recent"]),
    ({"q6": True, "recent": False}, "moderate", ["1", "2", "6", "6_recent"]),
    ({"q1": True, "q6": True, "recent": False}, "moderate", ["1", "2", "6", "6_recent"]),
    (
        {"q2": True, "q3": True, "q6": True, "recent": True},
        "high",
        ["1", "2", "3", "4", "5", "6", "6_recent"],
    ),
]


@pytest.mark.parametrize(("yes", "triage", "asked"), CSSRS_PATHS)
def test_cssrs_screen_skip_logic_and_triage(yes: dict, triage: str, asked: list[str]) -> None:
    d = definition("cssrs_screen")
    answers = check_answers(d, cssrs(**yes))
    assert [item.id for item in asked_items(d, answers)] == asked
    result = score(d, answers)
    assert result.band == triage
    assert result.severity == {"high": "high", "moderate": "moderate"}.get(triage, "")


def test_phq9_item9_severity_one_is_moderate_two_or_more_is_high() -> None:
    d = definition("phq9")
    assert score(d, check_answers(d, phq9(0, **{"9": 0}))).severity == ""
    one = score(d, check_answers(d, phq9(0, **{"9": 1})))
    assert (one.severity, one.makes_due) == ("moderate", "cssrs_screen")
    assert one.alert_reason == "PHQ-9 item 9 answered 1 (of 3)"
    assert score(d, check_answers(d, phq9(0, **{"9": 2}))).severity == "high"
    assert score(d, check_answers(d, phq9(0, **{"9": 3}))).severity == "high"


CHECKIN = {"mood": 6, "sleep": 7.5, "coping": "skill_1"}


def test_checkin_scores_mood_and_keeps_half_hours_of_sleep() -> None:
    d = definition("daily_checkin")
    answers = check_answers(d, {**CHECKIN, "note": "Good group today."})
    assert answers["sleep"] == 7.5
    result = score(d, answers)
    assert (result.total, result.severity) == (6, "")


@pytest.mark.parametrize(
    ("note", "crisis"),
    [
        ("I want to kill myself", True),
        ("Thinking about SUICIDE again", True),
        ("honestly i'd be better   off dead", True),
        ("I can\u2019t go on like this", True),
        ("thought about self-harm", True),
        ("my phone battery is dead", False),
        ("the skill killed the craving", False),
        ("watched a documentary on suicides in history", False),  # whole words only
        ("", False),
    ],
)
def test_crisis_language_matches_whole_phrases_case_insensitively(note: str, crisis: bool) -> None:
    assert matches_list("crisis_terms", note) is crisis
    d = definition("daily_checkin")
    result = score(d, check_answers(d, {**CHECKIN, "note": note}))
    assert (result.severity == "high") is crisis


def test_checkin_other_coping_skill_is_asked_only_after_other() -> None:
    d = definition("daily_checkin")
    answers = check_answers(d, {**CHECKIN, "coping": "other", "coping_other": "Baked bread"})
    assert answers["coping_other"] == "Baked bread"
    with pytest.raises(AnswersInvalid, match="coping_other: was not asked"):
        check_answers(d, {**CHECKIN, "coping_other": "Baked bread"})


BAD = [
    ("phq9", {str(n): 0 for n in range(1, 9)}, "Item 9: is missing."),
    ("phq9", phq9(0, **{"9": 4}), "Item 9: choose one of 0, 1, 2, 3."),
    ("phq9", phq9(0, **{"3": -1}), "Item 3: choose one of"),
    ("phq9", phq9(0, **{"3": True}), "Item 3: choose one of"),
    ("phq9", phq9(0, **{"3": "2.5"}), "Item 3: choose one of"),
    ("phq9", phq9(0, **{"10": 1}), "Item 10: is not an item of PHQ-9."),
    ("gad7", spread(0, 7, 3) | {"8": 0}, "Item 8: is not an item of GAD-7."),
    ("pcl5", spread(0, 20, 4) | {"20": 5}, "Item 20: choose one of 0, 1, 2, 3, 4."),
    ("cssrs_screen", {"1": False, "2": False, "3": True, "6": False}, "Item 3: was not asked"),
    ("cssrs_screen", {"1": False, "2": False, "6": False, "6_recent": True}, "Item 6_recent"),
    ("cssrs_screen", {"1": "maybe", "2": False, "6": False}, "Item 1: answer yes"),
    ("cssrs_screen", {"1": 1, "2": False, "6": False}, "Item 1: answer yes"),
    ("daily_checkin", {**CHECKIN, "mood": 11}, "Item mood: give a number from 0 to 10."),
    ("daily_checkin", {**CHECKIN, "sleep": 7.25}, "Item sleep: use steps of 0.5."),
    ("daily_checkin", {**CHECKIN, "sleep": 25}, "Item sleep: give a number from 0 to 24."),
    ("daily_checkin", {**CHECKIN, "coping": "skill_99"}, "Item coping: choose one of"),
    ("daily_checkin", {"mood": 5, "sleep": 8}, "Item coping: is missing."),
]


@pytest.mark.parametrize(("code", "answers", "message"), BAD)
def test_bad_answers_are_refused_naming_the_item(
    code: str, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(AnswersInvalid) as refused:
        check_answers(definition(code), answers)
    assert message in refused.value.message


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(AnswersInvalid) as refused:
        check_answers(definition("phq9"), {"1": 9, "2": 0})
    items = [item for item, _ in refused.value.problems]
    assert items == ["1", "3", "4", "5", "6", "7", "8", "9"]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_builtin_definitions_are_valid_and_carry_attribution(code: str) -> None:
    d = definition(code)
    if code in ("phq9", "gad7"):
        assert "with an educational grant from Pfizer Inc." in d.attribution
    if code == "cssrs_screen":
        assert "Columbia Lighthouse Project" in d.attribution
    if code == "pcl5":
        assert "National Center for PTSD" in d.attribution


def test_client_titles_name_no_condition() -> None:
    words = ("depress", "anxi", "ptsd", "suicid", "disorder", "trauma")
    for code in BUILTIN_CODES:
        title = definition(code).client_title.lower()
        assert not any(word in title for word in words), title


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["items"].append(dict(d["items"][0])), "item ids repeat"),
        (lambda d: d["bands"].pop(), "bands must cover the whole score range"),
        (lambda d: d["risk"][0].update(when={"item": "99", "gte": 1}), "unknown items: 99"),
        (lambda d: d["risk"][0].update(when={"item": "9"}), "needs one of eq, gte, lte"),
        (lambda d: d["items"][0].update(kind="slider"), "items.0.kind"),
        (lambda d: d.update(code="Bad Code"), "code"),
    ],
)
def test_a_bad_definition_is_refused_with_the_problem(change: Any, problem: str) -> None:
    data = json.loads(json.dumps(builtin_definition("phq9")))
    change(data)
    with pytest.raises(ValueError, match=problem):
        definition_parse(data)
