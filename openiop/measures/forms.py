"""Forms: one question at a time for clients, a track's schedule and a pasted definition for
directors. They check and normalise only; services write."""

import json
from typing import Any

from django import forms

from openiop.measures.schema import Item

# A number item with at most this many possible answers is shown as buttons (mood 0–10).
MAX_NUMBER_BUTTONS = 11


def number_choices(item: Item) -> list[tuple[str, str]] | None:
    assert item.min is not None and item.max is not None
    step = item.step or 1
    count = round((item.max - item.min) / step) + 1
    if count > MAX_NUMBER_BUTTONS:
        return None
    values = [item.min + i * step for i in range(count)]
    return [(_plain(v), _plain(v)) for v in values]


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


class QuestionForm(forms.Form):
    """One item. The field is always called ``answer``; the service checks the value."""

    def __init__(self, *args: Any, item: Item, initial_value: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        field = item_field(item, initial_value)
        field.required = not item.optional
        field.error_messages["required"] = "Choose an answer to go on."
        self.fields["answer"] = field


class StaffEntryForm(forms.Form):
    """Every item of one instrument on one page, for a clinician recording the client's
    answers in session. All fields optional here: the skip logic decides what is needed and
    the service names what is missing."""

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            field = item_field(item, None)
            field.required = False
            self.fields[item.id] = field

    def raw_answers(self) -> dict[str, Any]:
        return {item.id: self.cleaned_data.get(item.id) for item in self.items}


def item_field(item: Item, initial_value: Any) -> forms.Field:
    """The form field for one item: radios for choices, yes/no and short number scales; a
    number box or a text area otherwise. Labelled with the item's text and hint."""
    field: forms.Field
    initial = _initial(item, initial_value)
    if item.kind == "choice":
        choices = [(str(o.value), o.label) for o in item.options]
        field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
    elif item.kind == "yesno":
        field = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    elif item.kind == "number" and (buttons := number_choices(item)) is not None:
        field = forms.ChoiceField(choices=buttons, widget=forms.RadioSelect)
    elif item.kind == "number":
        field = forms.CharField(
            widget=forms.NumberInput(
                attrs={
                    "min": item.min,
                    "max": item.max,
                    "step": item.step or "any",
                    "inputmode": "decimal",
                }
            )
        )
    else:
        field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": item.max_length})
        )
    field.label = item.text
    field.help_text = item.hint
    field.initial = initial
    return field


def _initial(item: Item, value: Any) -> Any:
    if value is None:
        return None
    if item.kind == "yesno":
        return "yes" if value else "no"
    return str(value)


class DefinitionForm(forms.Form):
    definition = forms.CharField(
        label="Instrument definition (JSON)",
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        max_length=200_000,
        help_text="Items, options, scoring, bands, flags and risk rules, in the same shape as "
        "the built-in definitions. Publishing the same code again makes a new version.",
    )

    def clean_definition(self) -> Any:
        try:
            return json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as bad:
            raise forms.ValidationError(
                f"This is not valid JSON: {bad.msg} (line {bad.lineno})."
            ) from None
