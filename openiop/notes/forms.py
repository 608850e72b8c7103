"""Forms of the notes pages: they validate and normalise; the services decide."""

from django import forms

from openiop.notes.models import TEMPLATE_SECTIONS, NoteKind, NoteTemplate, ProgressNote

TEMPLATE_CHOICES = [
    (value, label) for value, label in NoteTemplate.choices if value != NoteTemplate.GROUP
]
ATTENDED_CHOICES = [("yes", "Yes, the client took part"), ("no", "No, the client was not there")]


class NoteForm(forms.Form):
    """A draft progress note: one text box per section of its template."""

    template = forms.ChoiceField(choices=TEMPLATE_CHOICES, label="Template")
    client_attended = forms.ChoiceField(
        choices=ATTENDED_CHOICES, widget=forms.RadioSelect, label="Did the client take part?"
    )
    duration_minutes = forms.IntegerField(
        min_value=0,
        max_value=1440,
        label="Minutes of psychotherapy",
        help_text="Face-to-face minutes; the billing code follows from them.",
    )
    action = forms.ChoiceField(choices=[("save", "Save draft"), ("sign", "Sign")], required=False)

    def __init__(self, *args: object, note: ProgressNote, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.note = note
        if note.kind == NoteKind.GROUP:
            del self.fields["template"]
        for key, label, hint, text in note.section_list:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                initial=text,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        self.initial.setdefault("template", note.template)
        self.initial.setdefault("client_attended", "yes" if note.client_attended else "no")
        self.initial.setdefault("duration_minutes", note.duration_minutes)

    def sections(self) -> dict[str, str]:
        return {
            name.removeprefix("section_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("section_")
        }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum", max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CodesForm(forms.Form):
    code = forms.CharField(label="Session code", max_length=8, required=False)
    day_code = forms.CharField(label="Day code", max_length=8, required=False)
    reason = forms.CharField(label="Reason for the change", max_length=300)


class PsychotherapyNoteForm(forms.Form):
    text = forms.CharField(
        label="Psychotherapy note (private to you)",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


def section_keys(template: str) -> list[str]:
    return [key for key, _label, _hint in TEMPLATE_SECTIONS.get(template, [])]


class GroupNoteForm(forms.Form):
    """The shared summary and one entry per booked client (`entry_<client id>`)."""

    summary = forms.CharField(
        label="Shared summary",
        help_text=(
            "Filed in every member's record: describe the group's topic and process without "
            "naming anyone."
        ),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    action = forms.ChoiceField(
        choices=[("save", "Save draft"), ("sign", "Sign all")], required=False
    )

    def __init__(self, *args: object, client_ids: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.client_ids = client_ids
        for client_id in client_ids:
            self.fields[f"entry_{client_id}"] = forms.CharField(
                required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def entries(self) -> dict[int, str]:
        return {cid: self.cleaned_data.get(f"entry_{cid}", "") for cid in self.client_ids}
