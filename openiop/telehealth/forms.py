"""The pre-join form: check results (filled in by the page's script), the privacy check and
"Where are you right now?". Staff answer only the first part."""

from typing import Any

from django import forms

from openiop.telehealth.models import Mode
from openiop.telehealth.services import PrejoinAnswers

PRIVACY_CHOICES = [
    ("private", "Yes: I'm somewhere private, with headphones, and the door is closed"),
    ("audio", "I'm not private right now: join with audio only, camera off"),
    ("message", "I'm not private right now: let my clinician know and wait for them"),
]
LOCATION_CHOICES = [
    ("here", "I'm at this address"),
    ("decline", "I'd rather not say (your care team will be told)"),
]
EMPTY_LOCATION = "Tell us where you are right now, or choose “I'd rather not say”."


class PrejoinForm(forms.Form):
    rtt_ms = forms.IntegerField(required=False, min_value=0, max_value=60_000)
    throughput_kbps = forms.IntegerField(required=False, min_value=0, max_value=10_000_000)
    camera_ok = forms.NullBooleanField(required=False)
    mode = forms.ChoiceField(
        label="How do you want to join?",
        choices=Mode.choices,
        widget=forms.RadioSelect,
        initial=Mode.VIDEO,
    )

    def __init__(self, *args: Any, is_client: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_client = is_client
        if is_client:
            self.fields["privacy"] = forms.ChoiceField(
                label="Can you talk privately?",
                choices=PRIVACY_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose one answer about privacy."},
            )
            self.fields["location_choice"] = forms.ChoiceField(
                label="Where are you right now?",
                choices=LOCATION_CHOICES,
                widget=forms.RadioSelect,
                initial="here",
                error_messages={"required": EMPTY_LOCATION},
            )
            self.fields["address"] = forms.CharField(
                label="Street address", max_length=300, required=False
            )
            self.fields["city"] = forms.CharField(
                label="City or town", max_length=100, required=False
            )
            self.fields["region"] = forms.CharField(
                label="State or region", max_length=100, required=False
            )
            self.fields["postal_code"] = forms.CharField(
                label="ZIP or postal code", max_length=20, required=False
            )
            self.fields["country"] = forms.CharField(
                label="Country code",
                max_length=2,
                required=False,
                help_text="Two letters, for example US.",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        here = self.is_client and data.get("location_choice") == "here"
        if here and not (data.get("address") or "").strip():
            self.add_error("address", EMPTY_LOCATION)
        return data

    def answers(self) -> PrejoinAnswers:
        data = self.cleaned_data
        privacy = data.get("privacy")
        declined = data.get("location_choice") == "decline"
        return PrejoinAnswers(
            rtt_ms=data.get("rtt_ms"),
            throughput_kbps=data.get("throughput_kbps"),
            camera_ok=data.get("camera_ok"),
            mode=data["mode"],
            private=None if not self.is_client else privacy == "private",
            wants_message=privacy == "message",
            location_declined=declined,
            address="" if declined else data.get("address", ""),
            city="" if declined else data.get("city", ""),
            region="" if declined else data.get("region", ""),
            postal_code="" if declined else data.get("postal_code", ""),
            country="" if declined else data.get("country", ""),
        )
