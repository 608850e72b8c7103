"""Forms for plans and homework: they validate and normalise, the services decide."""

from datetime import time
from typing import Any

from django import forms
from django.forms import formset_factory

from openiop.care.library import FIELDS_HELP, ExerciseDef, parse_fields
from openiop.care.models import ExerciseKind, FieldType, Goal, Repeat
from openiop.care.services import GoalInput

# Instruments a goal can be tracked by (codes of the measures app; kept here so a plan can
# name them before that app is installed).
INSTRUMENTS = [
    ("phq9", "PHQ-9 (mood)"),
    ("gad7", "GAD-7 (worry)"),
    ("pcl5", "PCL-5"),
    ("daily_checkin", "Daily check-in"),
]
INSTRUMENT_NAMES = dict(INSTRUMENTS)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class PlanForm(forms.Form):
    problems = forms.CharField(
        label="Problems",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, in words the client would recognise.",
        max_length=6000,
    )
    review_every_days = forms.IntegerField(
        label="Review the plan every (days)", min_value=7, max_value=180, initial=30
    )

    def problem_list(self) -> list[str]:
        return _lines(self.cleaned_data["problems"])


class GoalForm(forms.Form):
    goal_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    statement = forms.CharField(
        label="Goal (measurable)",
        max_length=500,
        help_text="E.g. “PHQ-9 below 10 on two checks in a row”.",
    )
    plain_words = forms.CharField(
        label="The goal in the client's words", max_length=300, help_text="What the client reads."
    )
    target_date = forms.DateField(label="Target date", widget=DateInput)
    objectives = forms.CharField(
        label="Objectives",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
        max_length=6000,
    )
    interventions = forms.CharField(
        label="Interventions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
        max_length=6000,
    )
    measures = forms.MultipleChoiceField(
        label="Tracked by",
        required=False,
        choices=INSTRUMENTS,
        widget=forms.CheckboxSelectMultiple,
    )

    def goal_input(self) -> GoalInput:
        data = self.cleaned_data
        return GoalInput(
            statement=data["statement"],
            plain_words=data["plain_words"],
            target_date=data["target_date"],
            objectives=_lines(data["objectives"]),
            interventions=_lines(data["interventions"]),
            measures=list(data["measures"]),
            goal_id=data.get("goal_id"),
        )


GoalFormSet = formset_factory(GoalForm, extra=1, can_delete=True, max_num=12, validate_max=True)


def goal_initial(goal: Goal) -> dict[str, Any]:
    return {
        "goal_id": goal.pk,
        "statement": goal.statement,
        "plain_words": goal.plain_words,
        "target_date": goal.target_date,
        "objectives": "\n".join(goal.objectives),
        "interventions": "\n".join(goal.interventions),
        "measures": goal.measures,
    }


class ClientSignForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name to sign", max_length=200, widget=forms.TextInput()
    )


class ProgressForm(forms.Form):
    rating = forms.IntegerField(label="Progress (0 none – 10 met)", min_value=0, max_value=10)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the client", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(forms.Form):
    exercise = forms.ChoiceField(label="Exercise")
    due_on = forms.DateField(label="Due date", widget=DateInput, help_text="In the client's zone.")
    repeat = forms.ChoiceField(label="Repeat", choices=Repeat.choices, initial=Repeat.NONE)
    until_on = forms.DateField(label="Last day (when repeating)", required=False, widget=DateInput)
    goal = forms.ChoiceField(label="For goal", required=False)
    note = forms.CharField(
        label="Note for the client",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a free task, say what to do.",
    )

    def __init__(self, *args: Any, library: list[ExerciseDef], goals: list[Goal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].choices = [(item.key, item.title) for item in library]  # type: ignore[attr-defined]
        self.fields["goal"].choices = [("", "No particular goal")] + [  # type: ignore[attr-defined]
            (str(goal.pk), goal.plain_words) for goal in goals
        ]
        self._goals = {str(goal.pk): goal for goal in goals}
        self._library = {item.key: item for item in library}

    def exercise_def(self) -> ExerciseDef:
        return self._library[self.cleaned_data["exercise"]]

    def goal_obj(self) -> Goal | None:
        return self._goals.get(self.cleaned_data.get("goal") or "")


class ExerciseForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=ExerciseKind.choices)
    title = forms.CharField(label="Title", max_length=120)
    instructions = forms.CharField(
        label="Instructions for the client",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    questions = forms.CharField(
        label="Questions",
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=FIELDS_HELP,
    )
    link = forms.URLField(
        label="Link (for a community activity)", required=False, assume_scheme="https"
    )

    def clean_questions(self) -> list[dict[str, Any]]:
        return parse_fields(self.cleaned_data["questions"])


# The client's homework form, built from the exercise's field list --------------------------

SCALE = [(str(n), str(n)) for n in range(11)]
TEXT_LIMIT = 500
LONG_LIMIT = 5000


class HomeworkForm(forms.Form):
    """One field per question; every answer optional while drafting."""

    def __init__(self, *args: Any, specs: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[spec["name"]] = _field(spec)

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec["name"])
            if spec["type"] == FieldType.SCALE:
                out[spec["name"]] = int(value) if value not in (None, "") else None
            elif spec["type"] == FieldType.TIME:
                out[spec["name"]] = value.strftime("%H:%M") if isinstance(value, time) else ""
            elif spec["type"] == FieldType.CHECKLIST:
                out[spec["name"]] = list(value or [])
            else:
                out[spec["name"]] = (value or "").strip()
        return out

    @staticmethod
    def initial_from(answers: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ("" if v is None else str(v)) if not isinstance(v, list) else v
            for k, v in answers.items()
        }


def answered(answers: dict[str, Any]) -> bool:
    return any(v not in (None, "", []) for v in answers.values())


def _field(spec: dict[str, Any]) -> forms.Field:
    label = spec["label"]
    help_text = spec.get("help", "")
    kind = spec["type"]
    common: dict[str, Any] = {"label": label, "required": False, "help_text": help_text}
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_LIMIT, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind == FieldType.SCALE:
        return forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect, **common)
    if kind == FieldType.CHOICE:
        choices = [(c, c) for c in spec.get("choices", [])]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == FieldType.CHECKLIST:
        choices = [(c, c) for c in spec.get("choices", [])]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.TIME:
        return forms.TimeField(widget=TimeInput, **common)
    return forms.CharField(max_length=TEXT_LIMIT, **common)


def answer_rows(specs: list[dict[str, Any]], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer as text) for read-only pages."""
    rows = []
    for spec in specs:
        value = answers.get(spec["name"])
        if isinstance(value, list):
            text = ", ".join(value)
        elif value is None:
            text = ""
        else:
            text = str(value)
        rows.append((spec["label"], text or "—"))
    return rows
