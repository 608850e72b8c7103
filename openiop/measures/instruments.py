"""Instrument definitions in the database: the built-in ones loaded on first use, each
instrument's current version, parsed once per process."""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import Q

from openiop.measures.models import Instrument, InstrumentVersion
from openiop.measures.schema import Definition, definition_parse
from openiop.measures.scoring import BUILTIN_DIR
from openiop.programs.models import Program

BUILTIN_CODES = ("phq9", "gad7", "pcl5", "cssrs_screen", "daily_checkin")


@dataclass(frozen=True)
class Loaded:
    """An instrument with its current version and the parsed definition."""

    instrument: Instrument
    version: InstrumentVersion
    definition: Definition

    @property
    def code(self) -> str:
        return self.instrument.code


@cache
def builtin_definition(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUILTIN_DIR / f"{code}.json").read_text(encoding="utf-8"))
    return data


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


_parsed: dict[str, Definition] = {}


def parsed(version: InstrumentVersion) -> Definition:
    """The version's definition, parsed once per process (keyed by content, not id)."""
    key = _digest(version.definition)
    if key not in _parsed:
        _parsed[key] = definition_parse(version.definition)
    return _parsed[key]


_full_sync_done = False


@transaction.atomic
def builtin_sync() -> None:
    """Create the built-in instruments, or a new version of one whose file changed since its
    latest version. Idempotent; runs on first use and from seed_demo."""
    global _full_sync_done
    latest = {v.instrument.code: v for v in _latest_versions(Q(instrument__program__isnull=True))}
    for code in BUILTIN_CODES:
        data = builtin_definition(code)
        current = latest.get(code)
        if current is not None and _digest(current.definition) == _digest(data):
            continue
        definition = definition_parse(data)
        instrument, _ = Instrument.objects.get_or_create(
            code=code, defaults={"name": definition.name}
        )
        InstrumentVersion.objects.create(
            instrument=instrument,
            version=current.version + 1 if current else 1,
            definition=data,
        )
    _full_sync_done = True


def _order(version: InstrumentVersion) -> tuple[int, int, int]:
    code = version.instrument.code
    if version.instrument.program_id is None and code in BUILTIN_CODES:
        return (0, BUILTIN_CODES.index(code), 0)
    return (1, 0, version.instrument_id)


def _latest_versions(rule: Q) -> list[InstrumentVersion]:
    rows = (
        InstrumentVersion.objects.filter(rule, instrument__is_active=True)
        .select_related("instrument")
        .order_by("instrument_id", "-version")
    )
    seen: set[int] = set()
    latest = []
    for version in rows:
        if version.instrument_id not in seen:
            seen.add(version.instrument_id)
            latest.append(version)
    return sorted(latest, key=_order)


def _visible(program: Program | int | None) -> Q:
    program_id = program.pk if isinstance(program, Program) else program
    rule = Q(instrument__program__isnull=True)
    if program_id is not None:
        rule |= Q(instrument__program_id=program_id)
    return rule


def available(program: Program | int | None) -> list[Loaded]:
    """The current version of every active instrument a program's clients may be given:
    the built-in ones first, then the program's own. Two queries at most after the first
    call of the process."""
    if not _full_sync_done:
        builtin_sync()
    versions = _latest_versions(_visible(program))
    if not set(BUILTIN_CODES) <= {v.instrument.code for v in versions}:
        builtin_sync()
        versions = _latest_versions(_visible(program))
    return [Loaded(v.instrument, v, parsed(v)) for v in versions]


def current(
    *, code: str = "", instrument_id: int | None = None, program: Program | int | None
) -> Loaded | None:
    """One instrument's current version by code or id (one query), if the program may use it."""
    if not _full_sync_done:
        builtin_sync()
    rule = _visible(program) & Q(instrument__is_active=True)
    rule &= Q(instrument__code=code) if code else Q(instrument_id=instrument_id)
    version = (
        InstrumentVersion.objects.filter(rule)
        .select_related("instrument")
        .order_by("-version")
        .first()
    )
    if version is None and code in BUILTIN_CODES:
        builtin_sync()
        return current(code=code, program=program)
    if version is None:
        return None
    return Loaded(version.instrument, version, parsed(version))


def available_for_programs(program_ids: set[int]) -> dict[int, list[Loaded]]:
    """`available` for several programs at once, in one query (a director's caseload)."""
    if not _full_sync_done:
        builtin_sync()
    rule = Q(instrument__program__isnull=True) | Q(instrument__program_id__in=program_ids)
    versions = _latest_versions(rule)
    if not set(BUILTIN_CODES) <= {v.instrument.code for v in versions}:
        builtin_sync()
        versions = _latest_versions(rule)
    loaded = [Loaded(v.instrument, v, parsed(v)) for v in versions]
    return {
        program_id: [x for x in loaded if x.instrument.program_id in (None, program_id)]
        for program_id in program_ids
    }
