"""The homework library: built-in exercises (code) plus the items each program adds (rows).

An exercise is a form defined as data: a list of fields, each
``{"name": "...", "label": "...", "type": FieldType, "choices": [...], "help": "..."}``.
Built-ins live here rather than in a data migration so every database has them, tests
included. A "free task" or "community activity" has no form beyond a note: it carries its
instructions and an optional link (a community resource can be given this way).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from openiop.care.models import Exercise, ExerciseKind, FieldType
from openiop.programs.models import Program

MAX_FIELDS = 20
MAX_CHOICES = 12
LABEL_LIMIT = 200


@dataclass(frozen=True)
class ExerciseDef:
    """One library item, built-in or a program's, as the assign form and the client see it."""

    key: str  # "builtin:<slug>" or "program:<id>"
    kind: str
    title: str
    instructions: str
    fields: list[dict[str, Any]] = field(default_factory=list)
    link: str = ""

    @property
    def is_builtin(self) -> bool:
        return self.key.startswith("builtin:")

    @property
    def exercise_id(self) -> int | None:
        """The program item's row id (None for a built-in)."""
        return None if self.is_builtin else int(self.key.split(":", 1)[1])


def _f(name: str, label: str, kind: str, *choices: str, help: str = "") -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "label": label, "type": kind}
    if choices:
        spec["choices"] = list(choices)
    if help:
        spec["help"] = help
    return spec


NOTE_FIELD = _f("note", "How did it go?", FieldType.LONG_TEXT)

BUILTIN: list[ExerciseDef] = [
    ExerciseDef(
        key="builtin:thought_record",
        kind=ExerciseKind.FORM,
        title="Thought record",
        instructions="When your mood drops, write down what happened and what went through "
        "your mind, then look at it from another side.",
        fields=[
            _f("situation", "What happened?", FieldType.LONG_TEXT),
            _f("when", "When was it?", FieldType.TIME),
            _f("feeling", "What did you feel?", FieldType.TEXT),
            _f("strength_before", "How strong was the feeling? (0–10)", FieldType.SCALE),
            _f("thought", "What went through your mind?", FieldType.LONG_TEXT),
            _f("other_view", "Another way to see it", FieldType.LONG_TEXT),
            _f("strength_after", "How strong is the feeling now? (0–10)", FieldType.SCALE),
        ],
    ),
    ExerciseDef(
        key="builtin:behavioral_activation",
        kind=ExerciseKind.FORM,
        title="Activity plan",
        instructions="Plan one thing you enjoy or that matters to you, then rate how it went.",
        fields=[
            _f("activity", "What will you do?", FieldType.TEXT),
            _f("at", "At what time?", FieldType.TIME),
            _f("done", "Did you do it?", FieldType.CHOICE, "Yes", "Partly", "Not this time"),
            _f("enjoyment", "How much did you enjoy it? (0–10)", FieldType.SCALE),
            _f("mastery", "How much did you get done? (0–10)", FieldType.SCALE),
        ],
    ),
    ExerciseDef(
        key="builtin:grounding",
        kind=ExerciseKind.FORM,
        title="Breathing or grounding exercise",
        instructions="Try slow breathing (in for 4, out for 6) or name 5 things you see, 4 you "
        "hear, 3 you can touch. Rate how you feel before and after.",
        fields=[
            _f("which", "What did you try?", FieldType.CHOICE, "Slow breathing", "5-4-3-2-1"),
            _f("before", "How tense were you before? (0–10)", FieldType.SCALE),
            _f("after", "How tense were you after? (0–10)", FieldType.SCALE),
            _f("note", "Anything you noticed", FieldType.TEXT),
        ],
    ),
    ExerciseDef(
        key="builtin:diary_card",
        kind=ExerciseKind.FORM,
        title="Diary card",
        instructions="Once a day, note your strongest feelings and the skills you used.",
        fields=[
            _f("sadness", "Sadness (0–10)", FieldType.SCALE),
            _f("anxiety", "Worry (0–10)", FieldType.SCALE),
            _f("anger", "Anger (0–10)", FieldType.SCALE),
            _f(
                "skills",
                "Skills I used today",
                FieldType.CHECKLIST,
                "Breathing",
                "Opposite action",
                "Checking the facts",
                "Reaching out",
                "Self-soothing",
            ),
            _f("note", "Anything else about today", FieldType.LONG_TEXT),
        ],
    ),
    ExerciseDef(
        key="builtin:values",
        kind=ExerciseKind.FORM,
        title="Values worksheet",
        instructions="Pick what matters most to you and one small step toward it this week.",
        fields=[
            _f(
                "areas",
                "What matters most to me",
                FieldType.CHECKLIST,
                "Family",
                "Friends",
                "Work or school",
                "Health",
                "Creativity",
                "Community",
            ),
            _f("why", "Why it matters", FieldType.LONG_TEXT),
            _f("step", "One small step this week", FieldType.TEXT),
            _f("importance", "How important is this step? (0–10)", FieldType.SCALE),
        ],
    ),
    ExerciseDef(
        key="builtin:free_task",
        kind=ExerciseKind.FREE_TASK,
        title="Free task",
        instructions="A task agreed with your clinician; the note says what it is.",
        fields=[NOTE_FIELD],
    ),
]
BUILTIN_BY_KEY = {item.key: item for item in BUILTIN}


def community_activity(*, key: str, title: str, text: str, link: str = "") -> ExerciseDef:
    """A community activity to give as homework (e.g. a resource from the directory: pass
    ``key="resource:<id>"``). ``homework_assign`` takes it like any library item; the client
    sees the text and the link, and notes how it went."""
    return ExerciseDef(
        key=key[:40],
        kind=ExerciseKind.COMMUNITY,
        title=title[:120],
        instructions=text,
        fields=[NOTE_FIELD],
        link=link,
    )


def _from_row(row: Exercise) -> ExerciseDef:
    return ExerciseDef(
        key=f"program:{row.pk}",
        kind=row.kind,
        title=row.title,
        instructions=row.instructions,
        fields=list(row.fields) or [NOTE_FIELD],
        link=row.link,
    )


def program_exercises(program_ids: list[int]) -> QuerySet[Exercise]:
    return Exercise.objects.filter(program_id__in=program_ids, is_active=True).order_by("title")


def library_for(program: Program) -> list[ExerciseDef]:
    """Built-ins first, then the program's own items (one query)."""
    return BUILTIN + [_from_row(row) for row in program_exercises([program.pk])]


def exercise_by_key(program: Program, key: str) -> ExerciseDef | None:
    """The library item ``key`` as the program sees it; None for unknown or other programs'."""
    if key in BUILTIN_BY_KEY:
        return BUILTIN_BY_KEY[key]
    match = re.fullmatch(r"program:(\d{1,12})", key)
    if match is None:
        return None
    row = program_exercises([program.pk]).filter(pk=int(match.group(1))).first()
    return _from_row(row) if row else None


# Fields written as text by the director: one per line, "type: label", choices after "=".
_LINE = re.compile(r"^\s*(?P<type>[a-z_ ]+)\s*:\s*(?P<label>[^=]+?)\s*(?:=\s*(?P<choices>.+))?$")
TYPE_WORDS = {
    "text": FieldType.TEXT,
    "long text": FieldType.LONG_TEXT,
    "long_text": FieldType.LONG_TEXT,
    "scale": FieldType.SCALE,
    "number": FieldType.SCALE,
    "choice": FieldType.CHOICE,
    "checklist": FieldType.CHECKLIST,
    "time": FieldType.TIME,
}
FIELDS_HELP = (
    "One question per line as “type: question”. Types: text, long text, scale (0–10), "
    "choice, checklist, time. For choice and checklist add the options after “=”, separated "
    "by “;”. Example: “choice: What did you try? = Breathing; Walking”."
)


def parse_fields(text: str) -> list[dict[str, Any]]:
    """The field list written as lines (see FIELDS_HELP); ValidationError naming the line."""
    fields: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        kind = TYPE_WORDS.get(match.group("type").strip().lower()) if match else None
        if match is None or kind is None:
            raise ValidationError(
                f"Line {number}: write “type: question”, the type one of text, long text, "
                "scale, choice, checklist, time."
            )
        label = match.group("label").strip()[:LABEL_LIMIT]
        choices = [c.strip()[:LABEL_LIMIT] for c in (match.group("choices") or "").split(";")]
        choices = [c for c in choices if c]
        if kind in (FieldType.CHOICE, FieldType.CHECKLIST):
            if len(choices) < 2:
                raise ValidationError(f"Line {number}: give at least two options after “=”.")
            if len(choices) > MAX_CHOICES:
                raise ValidationError(f"Line {number}: at most {MAX_CHOICES} options.")
        elif choices:
            raise ValidationError(f"Line {number}: only choice and checklist take options.")
        fields.append(_f(f"q{len(fields) + 1}", label, kind, *choices))
    if len(fields) > MAX_FIELDS:
        raise ValidationError(f"At most {MAX_FIELDS} questions.")
    return fields


def fields_as_text(fields: list[dict[str, Any]]) -> str:
    words = {
        value: word for word, value in TYPE_WORDS.items() if word not in ("long_text", "number")
    }
    lines = []
    for spec in fields:
        line = f"{words.get(spec['type'], 'text')}: {spec['label']}"
        if spec.get("choices"):
            line += " = " + "; ".join(spec["choices"])
        lines.append(line)
    return "\n".join(lines)
