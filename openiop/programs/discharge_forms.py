"""Forms of the discharge pages (kept apart from forms.py, which other areas are growing)."""

from django import forms

from openiop.programs.models import DischargeReason
from openiop.programs.services.discharge import TEXT_LIMIT


class DischargeSummaryForm(forms.Form):
    """The clinician's part of the discharge summary; the facts are computed, not typed."""

    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=[("", "Choose a reason"), *DischargeReason.choices],
        required=False,  # a draft may be saved without one; signing needs it
    )
    progress = forms.CharField(
        label="Course of treatment and progress",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    recommendations = forms.CharField(
        required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    aftercare_appointments = forms.CharField(
        label="Aftercare appointments",
        required=False,
        max_length=TEXT_LIMIT,
        help_text="Who, when and where: the first appointments after discharge.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    aftercare_referrals = forms.CharField(
        label="Aftercare referrals",
        required=False,
        max_length=TEXT_LIMIT,
        help_text="Services, groups and community resources the client was referred to.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DischargeSignForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have reviewed this summary; sign it and discharge the client.",
        error_messages={"required": "Tick the box to confirm the discharge."},
    )


class DischargeExportForm(forms.Form):
    recipient = forms.CharField(
        label="Sent to (optional)",
        required=False,
        max_length=200,
        help_text="The provider or service receiving the summary; recorded with the download.",
    )
