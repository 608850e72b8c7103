from django import forms

from openiop.programs.models import CareTeamRole


class BreakGlassForm(forms.Form):
    last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you need this record now. Compliance reviews every use.",
    )


class CareTeamAddForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=CareTeamRole.choices)
