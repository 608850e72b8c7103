"""The preferences form: validates and normalises; the service decides."""

import zoneinfo

from django import forms

LANGUAGES = [("en", "English"), ("es", "Español")]


def _zones() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones()) if "/" in zone]


class PreferenceForm(forms.Form):
    email_on = forms.BooleanField(required=False, label="Email")
    sms_on = forms.BooleanField(required=False, label="Text message")
    inapp_on = forms.BooleanField(required=False, label="Inbox in the app")
    phone = forms.CharField(
        required=False,
        max_length=32,
        label="Mobile number",
        help_text="For text messages, such as +1 312 555 0123.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    quiet_start = forms.TimeField(
        required=False,
        label="Quiet from",
        help_text="No messages between these times. Leave both empty for none.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        required=False,
        label="Quiet until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.ChoiceField(label="Your time zone", choices=_zones)
    language = forms.ChoiceField(label="Language", choices=LANGUAGES)
    discreet = forms.BooleanField(
        required=False,
        label="Discreet wording",
        help_text=(
            "Messages say only that you have an appointment or something to do, never what "
            "it is about. Recommended if others can see your phone."
        ),
    )
