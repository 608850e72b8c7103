"""The staff form that creates a weekly series: weekdays and a time instead of an RRULE.

It reads and normalises the fields and builds the RRULE; `series_create` checks the rules
and words the refusals, so the page and the API refuse the same input the same way.
"""

from datetime import date, datetime, time
from typing import Any

from django import forms

from openiop.accounts.models import User
from openiop.programs.models import Program, Track
from openiop.resources.models import PartnerLocation
from openiop.resources.selectors import partner_locations
from openiop.scheduling.models import SessionKind
from openiop.scheduling.selectors import facilitators_of

WEEKDAYS = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]


class SeriesForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of session", choices=SessionKind.choices)
    track = forms.ModelChoiceField(
        label="Track", queryset=Track.objects.none(), required=False, empty_label="No track"
    )
    facilitator = forms.ModelChoiceField(label="Facilitator", queryset=User.objects.none())
    weekdays = forms.MultipleChoiceField(
        label="Days of the week", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    first_date = forms.DateField(
        label="First week starting", widget=forms.DateInput(attrs={"type": "date"})
    )
    last_date = forms.DateField(
        label="Last date (optional)",
        required=False,
        help_text="Leave blank to repeat until stopped.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes (optional)",
        required=False,
        help_text="Blank: the usual length for the kind (group 180, skills 90, individual 50).",
    )
    capacity = forms.IntegerField(
        label="Seats (group and skills only, optional)",
        required=False,
        help_text="Blank: the program's largest group.",
    )
    in_person_location = forms.ModelChoiceField(
        label="In person at (optional)",
        queryset=PartnerLocation.objects.none(),
        required=False,
        empty_label="Online (video)",
        help_text="A partner location: clients see its address instead of a Join button.",
    )

    def __init__(self, program: Program, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["track"].queryset = program.tracks.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = facilitators_of(program)  # type: ignore[attr-defined]
        self.fields["in_person_location"].queryset = partner_locations(program)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_date"), data.get("last_date")
        if first and last and last < first:
            self.add_error("last_date", "The last date comes on or after the first.")
        return data

    def first_local_start(self) -> datetime:
        day: date = self.cleaned_data["first_date"]
        at: time = self.cleaned_data["start_time"]
        return datetime.combine(day, at)  # naive: a wall time in the program's zone

    def rrule(self) -> str:
        """FREQ=WEEKLY;BYDAY=MO,WE,TH, with UNTIL at the end of the last day if given."""
        days = [code for code, _ in WEEKDAYS if code in self.cleaned_data["weekdays"]]
        rule = f"FREQ=WEEKLY;BYDAY={','.join(days)}"
        last: date | None = self.cleaned_data.get("last_date")
        if last:
            rule += f";UNTIL={last:%Y%m%d}T235959"
        return rule


class MoveForm(forms.Form):
    new_date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    new_time = forms.TimeField(
        label="New start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def new_local_start(self) -> datetime:
        return datetime.combine(self.cleaned_data["new_date"], self.cleaned_data["new_time"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason clients will see",
        max_length=200,
        help_text="No clinical detail: e.g. \u201cFacilitator unwell\u201d.",
    )


Day = date  # the form's `date` field hides the type inside the class


class ClosureForm(forms.Form):
    """A day the program closes; `today` is the program's own date, so a past day is refused."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="Reason clients will see", max_length=100, help_text="For example: Thanksgiving."
    )

    def __init__(self, *args: Any, today: Day, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_date(self) -> Day:
        day: Day = self.cleaned_data["date"]
        if day < self.today:
            raise forms.ValidationError(f"{day:%Y-%m-%d} has passed; choose today or later.")
        return day
