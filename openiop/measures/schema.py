"""The shape of an instrument definition (JSON), checked with pydantic.

A definition is data: items and their answer options, skip logic (``ask_if``), scoring,
bands, flags, a triage ladder, risk rules and the licence text. Built-in definitions live in
``openiop/measures/builtin/*.json``; a program may publish its own through the director's
page, validated against this same schema. Conditions are a tiny closed language, evaluated
by ``openiop.measures.scoring`` (never ``eval``):

- ``{"item": "9", "gte": 1}`` / ``{"item": "2", "eq": true}`` / ``{"item": "9", "lte": 0}``
- ``{"total_gte": 33}``
- ``{"triage_in": ["high"]}``
- ``{"count": {"items": ["1", "2"], "gte": 2, "at_least": 1}}`` (how many items rated ≥ gte)
- ``{"matches_list": "crisis_terms", "item": "note"}`` (word-boundary, case-insensitive)
- ``{"any": [...]}`` / ``{"all": [...]}``
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ITEM_ID = r"^[a-z0-9_]{1,20}$"
WORD_LISTS = frozenset({"crisis_terms"})
SEVERITIES = ("low", "moderate", "high")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountRule(_Strict):
    items: list[str] = Field(min_length=1)
    gte: float
    at_least: int = Field(ge=1)


class Condition(_Strict):
    item: str | None = None
    eq: bool | int | str | None = None
    gte: float | None = None
    lte: float | None = None
    total_gte: float | None = None
    triage_in: list[str] | None = None
    count: CountRule | None = None
    matches_list: str | None = None
    any: list[Condition] | None = None
    all: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [
            self.item is not None and self.matches_list is None,
            self.total_gte is not None,
            self.triage_in is not None,
            self.count is not None,
            self.matches_list is not None,
            self.any is not None,
            self.all is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("a condition has exactly one form (item, total_gte, any, ...)")
        comparisons = [self.eq is not None, self.gte is not None, self.lte is not None]
        if self.item is not None and self.matches_list is None and comparisons.count(True) != 1:
            raise ValueError(f"condition on item {self.item!r} needs one of eq, gte, lte")
        if self.matches_list is not None:
            if self.item is None:
                raise ValueError("matches_list needs the item whose text it checks")
            if self.matches_list not in WORD_LISTS:
                raise ValueError(f"unknown word list {self.matches_list!r}")
        return self

    def items_named(self) -> set[str]:
        names = {self.item} if self.item else set()
        if self.count:
            names |= set(self.count.items)
        for sub in (self.any or []) + (self.all or []):
            names |= sub.items_named()
        return names


class Option(_Strict):
    value: int | str
    label: str = Field(min_length=1, max_length=200)


class Item(_Strict):
    id: str = Field(pattern=ITEM_ID)
    text: str = Field(min_length=1, max_length=500)
    kind: Literal["choice", "yesno", "number", "text"]
    options: list[Option] = []
    scored: bool = False
    optional: bool = False
    ask_if: Condition | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    unit: str = ""
    max_length: int = Field(default=1000, ge=1, le=4000)
    hint: str = ""

    @model_validator(mode="after")
    def _kind_fields(self) -> Item:
        if self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError(f"item {self.id}: a choice needs at least two options")
            values = [o.value for o in self.options]
            if len(set(map(str, values))) != len(values):
                raise ValueError(f"item {self.id}: option values repeat")
        if self.kind == "number":
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError(f"item {self.id}: a number needs min < max")
            if self.step is not None and self.step <= 0:
                raise ValueError(f"item {self.id}: step must be positive")
        if self.scored and self.kind not in ("choice", "number", "yesno"):
            raise ValueError(f"item {self.id}: only choice, number and yes/no items are scored")
        text_values = any(isinstance(o.value, str) for o in self.options)
        if self.scored and self.kind == "choice" and text_values:
            raise ValueError(f"item {self.id}: scored options need whole-number values")
        return self


class Scoring(_Strict):
    method: Literal["sum", "item", "none"]
    item: str = ""
    min: float = 0
    max: float = 0


class Band(_Strict):
    key: str = Field(pattern=ITEM_ID)
    label: str
    min: float
    max: float


class Flag(_Strict):
    id: str = Field(pattern=ITEM_ID)
    label: str
    when: Condition


class TriageLevel(_Strict):
    level: str = Field(pattern=ITEM_ID)
    label: str
    when: Condition


class RiskRule(_Strict):
    id: str = Field(pattern=ITEM_ID)
    severity: Literal["low", "moderate", "high"]
    # For the clinician; "{value}" becomes the item's answer. Never shown to the client.
    reason: str = Field(max_length=200)
    when: Condition
    makes_due: str = ""  # an instrument code this answer makes due at once (C-SSRS)
    source: Literal["measure", "checkin"] = "measure"  # the alert's source in safety
    value_of: str = ""  # the item whose answer fills {value}


class Change(_Strict):
    reliable_change: float | None = None  # points of change that count as real
    response_drop: float | None = None  # fraction of the baseline (0.5 = 50 %)
    remission_below: float | None = None


class DefaultSchedule(_Strict):
    every_days: int = Field(ge=0, le=365)  # 0: not periodic
    at_intake: bool = False
    trauma_tracks_only: bool = False


class Definition(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    # What the client sees instead of the instrument's name (no condition named).
    client_title: str = Field(min_length=1, max_length=100)
    preamble: str = ""
    attribution: str = ""
    items: list[Item] = Field(min_length=1, max_length=200)
    scoring: Scoring
    bands: list[Band] = []
    triage: list[TriageLevel] = []
    flags: list[Flag] = []
    risk: list[RiskRule] = []
    change: Change = Change()
    default_schedule: DefaultSchedule = DefaultSchedule(every_days=0)
    trend_label: str = "Total score"

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids repeat")
        known = set(ids)
        named: set[str] = set()
        for item in self.items:
            if item.ask_if:
                named |= item.ask_if.items_named()
        conditions = [r.when for r in self.flags] + [r.when for r in self.triage]
        for condition in conditions + [r.when for r in self.risk]:
            named |= condition.items_named()
        for rule in self.risk:
            if rule.value_of:
                named.add(rule.value_of)
        if self.scoring.method == "item":
            named.add(self.scoring.item)
        if named - known:
            raise ValueError(f"conditions name unknown items: {', '.join(sorted(named - known))}")
        if self.scoring.method != "none" and self.scoring.min >= self.scoring.max:
            raise ValueError("scoring needs min < max")
        if self.bands:
            ordered = sorted(self.bands, key=lambda band: band.min)
            if ordered[0].min != self.scoring.min or ordered[-1].max != self.scoring.max:
                raise ValueError("bands must cover the whole score range")
            for low, high in itertools.pairwise(ordered):
                if high.min != low.max + 1:
                    raise ValueError(f"bands {low.key} and {high.key} leave a gap or overlap")
        return self

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


def definition_parse(data: Any) -> Definition:
    """A checked definition, or ValueError with every problem in plain words."""
    try:
        return Definition.model_validate(data)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            where = ".".join(str(part) for part in e["loc"])
            problems.append(f"{where}: {e['msg']}" if where else e["msg"])
        raise ValueError("; ".join(problems)) from None
