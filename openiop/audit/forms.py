from django import forms


class AuditSearchForm(forms.Form):
    client = forms.IntegerField(required=False, min_value=1, label="Client id")
    actor = forms.EmailField(required=False, label="Actor email")
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From (UTC date)"
    )
    date_to = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="To (UTC date, inclusive)",
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data
