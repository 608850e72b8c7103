"""Checking and scoring answers against a definition. Model-free and pure: the same answers
always give the same result, so every rule is tested without a database."""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openiop.measures.schema import SEVERITIES, Condition, Definition, Item

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
YES = frozenset({"yes", "true", "y", "1"})
NO = frozenset({"no", "false", "n", "0"})


class AnswersInvalid(ValueError):
    """Answers that cannot be scored; ``problems`` is [(item id or "", message)], in order."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return " ".join(f"Item {item}: {text}" if item else text for item, text in self.problems)


@dataclass(frozen=True)
class RiskHit:
    rule_id: str
    severity: str
    reason: str
    makes_due: str
    source: str = "measure"


@dataclass(frozen=True)
class Result:
    total: int | None
    band: str  # a band key, or the triage level; "" when the instrument has neither
    band_label: str  # for staff only
    flags: list[str] = field(default_factory=list)
    risks: list[RiskHit] = field(default_factory=list)

    @property
    def severity(self) -> str:
        """The highest severity among the risk rules that fired ("" when none did)."""
        levels = [SEVERITIES.index(hit.severity) for hit in self.risks]
        return SEVERITIES[max(levels)] if levels else ""

    @property
    def alert_reason(self) -> str:
        return "; ".join(hit.reason for hit in self.risks)

    @property
    def makes_due(self) -> str:
        return next((hit.makes_due for hit in self.risks if hit.makes_due), "")


# Word lists ------------------------------------------------------------------------------


@cache
def word_list_pattern(name: str) -> re.Pattern[str]:
    """One case-insensitive, word-bounded pattern for a list file (one phrase a line, # notes);
    a space in a phrase matches any run of spaces."""
    lines = (BUILTIN_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    phrases = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    parts = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def matches_list(name: str, text: str) -> bool:
    normal = text.replace("\u2019", "'").replace("\u2018", "'").replace("-", " ")
    return bool(word_list_pattern(name).search(normal) or word_list_pattern(name).search(text))


# Conditions ------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return None


def evaluate(
    condition: Condition, answers: dict[str, Any], total: int | None = None, triage: str = ""
) -> bool:
    """Whether `condition` holds. An item that was not answered satisfies no comparison."""
    if condition.any is not None:
        return any(evaluate(c, answers, total, triage) for c in condition.any)
    if condition.all is not None:
        return all(evaluate(c, answers, total, triage) for c in condition.all)
    if condition.total_gte is not None:
        return total is not None and total >= condition.total_gte
    if condition.triage_in is not None:
        return triage in condition.triage_in
    if condition.count is not None:
        rule = condition.count
        rated = [_number(answers.get(item)) for item in rule.items]
        return sum(1 for v in rated if v is not None and v >= rule.gte) >= rule.at_least
    if condition.matches_list is not None:
        text = answers.get(condition.item or "")
        return isinstance(text, str) and matches_list(condition.matches_list, text)
    value = answers.get(condition.item or "")
    if value is None:
        return False
    if condition.eq is not None:
        if isinstance(condition.eq, bool) or isinstance(value, bool):
            return value is condition.eq
        return str(value) == str(condition.eq)
    number = _number(value)
    if number is None:
        return False
    if condition.gte is not None:
        return number >= condition.gte
    return condition.lte is not None and number <= condition.lte


# Checking answers ------------------------------------------------------------------------


def coerce(item: Item, raw: Any) -> Any:
    """One answer in its stored type (int, float, bool or str); ValueError in plain words.
    Accepts the JSON types and the strings an HTML form sends."""
    if item.kind == "choice":
        for option in item.options:
            if isinstance(raw, bool):
                break
            if isinstance(option.value, int) and isinstance(raw, int) and raw == option.value:
                return option.value
            if isinstance(raw, str) and raw.strip() == str(option.value):
                return option.value
        allowed = ", ".join(str(o.value) for o in item.options)
        raise ValueError(f"choose one of {allowed}.")
    if item.kind == "yesno":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in YES | NO:
            return raw.strip().lower() in YES
        raise ValueError("answer yes (true) or no (false).")
    if item.kind == "number":
        number = _parse_number(raw)
        low, high = item.min, item.max
        assert low is not None and high is not None  # the schema requires them
        if number is None or not math.isfinite(number) or not low <= number <= high:
            raise ValueError(f"give a number from {_show(low)} to {_show(high)}.")
        if item.step and not math.isclose(
            (number - low) / item.step, round((number - low) / item.step), abs_tol=1e-9
        ):
            raise ValueError(f"use steps of {_show(item.step)}.")
        return int(number) if float(number).is_integer() else number
    if not isinstance(raw, str):
        raise ValueError("answer in words.")
    text = raw.replace("\x00", "").strip()
    if len(text) > item.max_length:
        raise ValueError(f"keep it under {item.max_length} characters.")
    return text


def _parse_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            return None
    return None


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def is_asked(item: Item, answers: dict[str, Any]) -> bool:
    return item.ask_if is None or evaluate(item.ask_if, answers)


def asked_items(definition: Definition, answers: dict[str, Any]) -> list[Item]:
    """The items the skip logic asks, given the answers so far (in order)."""
    return [item for item in definition.items if is_asked(item, answers)]


def answers_asked(definition: Definition, raw: dict[str, Any]) -> dict[str, Any]:
    """The raw answers to the items the skip logic asks given the earlier answers, blanks
    left out (a one-page form shows every item; what it skips is dropped, not refused)."""
    typed: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    for item in definition.items:
        value = raw.get(item.id)
        if not is_asked(item, typed) or value is None or value == "":
            continue
        kept[item.id] = value
        with contextlib.suppress(ValueError):  # check_answers names it
            typed[item.id] = coerce(item, value)
    return kept


def check_answers(definition: Definition, raw: dict[str, Any]) -> dict[str, Any]:
    """The complete, typed answers of one administration; AnswersInvalid listing every
    problem (unknown item, missing answer, out of range, answer to a skipped item)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        raise AnswersInvalid([("", "Answers must be an object of item: value.")])
    known = {item.id for item in definition.items}
    for key in raw:
        if str(key) not in known:
            problems.append((str(key), f"is not an item of {definition.name}."))
    answers: dict[str, Any] = {}
    for item in definition.items:
        given = raw.get(item.id)
        blank = given is None or (isinstance(given, str) and not given.strip())
        if not is_asked(item, answers):
            if not blank:
                problems.append((item.id, "was not asked (the earlier answers skip it)."))
            continue
        if blank:
            if not item.optional:
                problems.append((item.id, "is missing."))
            continue
        try:
            answers[item.id] = coerce(item, given)
        except ValueError as bad:
            problems.append((item.id, str(bad)))
    if problems:
        raise AnswersInvalid(problems)
    return answers


# Scoring ---------------------------------------------------------------------------------


def score(definition: Definition, answers: dict[str, Any]) -> Result:
    """Total, band (or triage level), flags and risk rules of checked answers."""
    total: int | None = None
    scoring = definition.scoring
    if scoring.method == "sum":
        values = [_number(answers.get(i.id)) for i in definition.items if i.scored]
        total = round(sum(v for v in values if v is not None))
    elif scoring.method == "item":
        value = _number(answers.get(scoring.item))
        total = None if value is None else round(value)
    band, band_label = "", ""
    if total is not None:
        for candidate in definition.bands:
            if candidate.min <= total <= candidate.max:
                band, band_label = candidate.key, candidate.label
    if definition.triage:
        band, band_label = "none", "None"
        for level in definition.triage:
            if evaluate(level.when, answers, total):
                band, band_label = level.level, level.label
                break
    flags = [f.id for f in definition.flags if evaluate(f.when, answers, total, band)]
    risks = []
    for rule in definition.risk:
        if evaluate(rule.when, answers, total, band):
            shown = _display(answers.get(rule.value_of, "")) if rule.value_of else ""
            reason = rule.reason.replace("{value}", shown)
            risks.append(RiskHit(rule.id, rule.severity, reason, rule.makes_due, rule.source))
    flags += [hit.rule_id for hit in risks if hit.rule_id not in flags]
    return Result(total=total, band=band, band_label=band_label, flags=flags, risks=risks)


def risky_answer(definition: Definition, answers: dict[str, Any]) -> bool:
    """Whether answers given so far (a draft) already fire a risk rule: the next screen then
    shows crisis resources, even before the client submits."""
    return any(evaluate(rule.when, answers) for rule in definition.risk)


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def answer_label(item: Item, value: Any) -> str:
    """How an answer reads in the item-level view."""
    if value is None:
        return "—"
    if item.kind == "choice":
        for option in item.options:
            if option.value == value:
                return f"{option.label} ({value})" if item.scored else option.label
    if item.kind == "yesno":
        return "Yes" if value else "No"
    if item.kind == "number" and item.unit:
        return f"{value} {item.unit}"
    return str(value)
