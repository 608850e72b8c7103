"""Forms of the roster: one tap records a status; a correction also needs its reason."""

from django import forms

from openiop.scheduling.models import AttendanceStatus


class RosterTapForm(forms.Form):
    client = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    reason = forms.CharField(max_length=300, required=False, strip=True)
