"""Safety forms: they read and normalise fields; the services decide and word refusals."""

from typing import Any

from django import forms

from openiop.accounts.models import Role, User
from openiop.lib.countries import country_choices
from openiop.programs.models import Program
from openiop.safety.models import AlertOutcome, ChecklistStep, SafetyPlan, Severity

# Our own wording of the six sections, as the client reads them.
SECTION_TITLES = {
    "warning_signs": "Signs that a crisis may be coming",
    "coping_alone": "Things I can do on my own to feel better",
    "distractions": "People and places that take my mind off things",
    "people_to_ask": "People I can ask for help",
    "professionals": "Professionals and crisis lines I can call",
    "safer_surroundings": "How I can make my surroundings safer",
}
SECTION_HINTS = {
    "warning_signs": "Thoughts, feelings, moods or situations, in your own words.",
    "coping_alone": "For example: a walk, music, a breathing exercise.",
    "distractions": "Friends, a café, a park, a place of worship.",
    "people_to_ask": "Names and phone numbers.",
    "professionals": "988 and your program's on-call line are filled in for you.",
    "safer_surroundings": "What you will put away or keep out of reach, and with whose help.",
}


class SafetyPlanForm(forms.Form):
    review_on = forms.DateField(
        label="Review the plan by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for 30 days from today.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SafetyPlan.SECTIONS:
            self.fields[name] = forms.CharField(
                label=SECTION_TITLES[name],
                help_text=SECTION_HINTS[name],
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.order_fields([*SafetyPlan.SECTIONS, "review_on"])

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in SafetyPlan.SECTIONS}


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[("", "Choose the outcome"), *AlertOutcome.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RaiseAlertForm(forms.Form):
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    reason = forms.CharField(
        label="Why (the care team sees this)",
        max_length=300,
        required=False,
    )


class TickForm(forms.Form):
    step = forms.ChoiceField(choices=ChecklistStep.choices)
    session = forms.IntegerField(required=False, min_value=1)


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[
            ("", "Open and acknowledged"),
            ("open", "Open"),
            ("acknowledged", "Acknowledged"),
            ("resolved", "Resolved"),
        ],
    )
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=[("", "Any"), *Severity.choices]
    )


def _clinicians(program: Program) -> Any:
    return User.objects.filter(
        program_memberships__program=program, role=Role.CLINICIAN, is_active=True
    ).order_by("display_name", "email")


class ShiftForm(forms.Form):
    starts_on = forms.DateField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}))
    starts_time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_on = forms.DateField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))
    ends_time = forms.TimeField(label="at ", widget=forms.TimeInput(attrs={"type": "time"}))
    primary = forms.ModelChoiceField(label="On call", queryset=User.objects.none())
    backup = forms.ModelChoiceField(label="Backup", queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary"].queryset = _clinicians(program)  # type: ignore[attr-defined]
        self.fields["backup"].queryset = _clinicians(program)  # type: ignore[attr-defined]


class ResourceForm(forms.Form):
    label = forms.CharField(label="Place", max_length=150, required=False)
    country = forms.ChoiceField(label="Country", required=False)
    region = forms.CharField(label="State or region (optional)", max_length=100, required=False)
    city = forms.CharField(label="City (optional)", max_length=100, required=False)
    postal_prefix = forms.CharField(
        label="Postal code prefix (optional)",
        max_length=20,
        required=False,
        help_text="Matches every postal code that starts with it, e.g. 627.",
    )
    dispatch_phone = forms.CharField(
        label="Emergency dispatch, 10-digit number", max_length=32, required=False
    )
    mobile_crisis_name = forms.CharField(label="Mobile crisis team", max_length=150, required=False)
    mobile_crisis_phone = forms.CharField(
        label="Mobile crisis team phone", max_length=32, required=False
    )
    nearest_ed = forms.CharField(
        label="Nearest emergency department (name and address)", max_length=300, required=False
    )
    nearest_ed_phone = forms.CharField(
        label="Emergency department phone", max_length=32, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", "Choose the country"),
            *country_choices(),
        ]


DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class HoursForm(forms.Form):
    """One start and end per weekday; a day left empty is a day off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(DAY_NAMES):
            self.fields[f"start_{day}"] = forms.TimeField(
                label=f"{name} from", required=False, widget=forms.TimeInput(attrs={"type": "time"})
            )
            self.fields[f"end_{day}"] = forms.TimeField(
                label=f"{name} until",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day, name in enumerate(DAY_NAMES):
            start, end = data.get(f"start_{day}"), data.get(f"end_{day}")
            if (start is None) != (end is None):
                self.add_error(f"end_{day}", f"Give both times for {name}, or neither.")
        return data

    def periods(self) -> list[tuple[int, Any, Any]]:
        data = self.cleaned_data
        return [
            (day, data[f"start_{day}"], data[f"end_{day}"])
            for day in range(7)
            if data.get(f"start_{day}") is not None and data.get(f"end_{day}") is not None
        ]


class ConsentToggleForm(forms.Form):
    is_support_person = forms.BooleanField(required=False)
    consent_to_contact = forms.BooleanField(required=False)
