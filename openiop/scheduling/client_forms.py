"""Forms for the client's scheduling pages: they validate and normalise, nothing more."""

from django import forms

from openiop.scheduling.models import Weekday


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="Until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "Choose a time after the start.")
        return data


class ChoiceOfSessionForm(forms.Form):
    """A session picked from the list the page offered (the view re-checks it)."""

    session = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
