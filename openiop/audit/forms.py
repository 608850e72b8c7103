from datetime import date
from typing import Any

from django import forms

# Ids are 64-bit; a bigger number could match nothing and would not fit the event that
# records the search.
_MAX_ID = 2**63 - 1


class AuditSearchForm(forms.Form):
    """Filters for the audit trail; every field optional, all dates are UTC calendar days."""

    client = forms.IntegerField(required=False, min_value=1, max_value=_MAX_ID, label="Client id")
    actor = forms.EmailField(required=False, label="Actor email")
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From (UTC date)"
    )
    date_to = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="To (UTC date, inclusive)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from: date | None = data.get("date_from")
        date_to: date | None = data.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError("The start date is after the end date.")
        return data
