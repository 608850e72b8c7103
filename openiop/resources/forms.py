"""Forms of the resources app: they read and normalise; services decide and word refusals."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from openiop.programs.models import Program
from openiop.resources.models import (
    Category,
    FamilyScope,
    PartnerLocation,
    ReferralKind,
    ReferralStatus,
    Resource,
)
from openiop.resources.selectors import DEFAULT_RADIUS, RADII

PLACE_FIELDS = ["address_line", "city", "region", "postal_code", "country"]


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "name",
            "category",
            "description",
            "is_online",
            *PLACE_FIELDS,
            "hours",
            "phone",
            "url",
            "languages",
            "cost",
            "is_crisis",
            "last_verified_on",
            "is_active",
        ]
        labels = {
            "address_line": "Street address",
            "is_online": "Online or by phone only (no address)",
            "is_crisis": "Crisis resource (shown with Help now)",
            "last_verified_on": "Details last checked on",
            "is_active": "Listed",
        }
        widgets = {"last_verified_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_online") and not data.get("postal_code"):
            self.add_error("postal_code", "Give the postal code, or mark the entry as online.")
        return data


class PartnerLocationForm(forms.ModelForm):
    class Meta:
        model = PartnerLocation
        fields = ["name", *PLACE_FIELDS, "directions", "phone", "is_active"]
        labels = {"address_line": "Street address", "is_active": "In use"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("address_line"):
            self.add_error("address_line", "Give the street address clients go to.")
        return data


class SearchForm(forms.Form):
    """The directory search: every field optional, so an empty form lists everything."""

    category = forms.ChoiceField(
        label="Kind of place", choices=[("", "Any kind"), *Category.choices], required=False
    )
    postal_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    radius = forms.TypedChoiceField(
        label="Within",
        choices=[(r, f"{r} miles") for r in RADII],
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS,  # type: ignore[arg-type]
        initial=DEFAULT_RADIUS,
    )

    def values(self) -> tuple[str, str, int]:
        data = self.cleaned_data if self.is_valid() else {}
        return (
            data.get("category") or "",
            (data.get("postal_code") or "").strip(),
            data.get("radius") or DEFAULT_RADIUS,
        )


class Part2Form(forms.Form):
    is_part2 = forms.BooleanField(
        label="This is a substance-use program under 42 CFR Part 2", required=False
    )


class ChooseResourceForm(forms.Form):
    resource = forms.ModelChoiceField(label="Directory entry", queryset=Resource.objects.none())

    def __init__(self, program: Program, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            program=program, is_active=True
        ).order_by("category", "name")


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label="Referral for", choices=ReferralKind.choices)
    resource = forms.ModelChoiceField(
        label="From the directory (optional)",
        queryset=Resource.objects.none(),
        required=False,
        empty_label="Not in the directory",
    )
    provider_name = forms.CharField(
        label="Provider or service (if not in the directory)", max_length=200, required=False
    )
    provider_contact = forms.CharField(label="Contact (optional)", max_length=200, required=False)

    def __init__(self, program: Program, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            program=program, is_active=True
        ).order_by("name")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ReferralStatus.choices)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """A consent "until 31 March" holds through that whole day in the client's zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


class ExpiryField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})


class DisclosureConsentForm(forms.Form):
    information = forms.CharField(
        label="Information to send",
        max_length=500,
        help_text="How much and what kind, e.g. “Discharge summary and medication list”.",
    )
    purpose = forms.CharField(label="Purpose", max_length=300, required=False)
    expires_on = ExpiryField(label="Consent ends on", required=False)
    signed_name = forms.CharField(
        label="Client's signature (their full name as they typed it)",
        max_length=200,
        required=False,
    )

    def expires_at(self, zone: ZoneInfo) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        return end_of_day(day, zone) if day else None


class FamilyInviteForm(forms.Form):
    """The client's invitation and consent in one: who, what, why, until when, signed."""

    name = forms.CharField(label="Their name", max_length=150)
    email = forms.EmailField(label="Their email address")
    relationship = forms.CharField(
        label="How they are related to you",
        max_length=100,
        help_text="e.g. parent, partner, friend",
    )
    scopes = forms.MultipleChoiceField(
        label="What they may see",
        choices=FamilyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Nothing else from your record is shared.",
    )
    purpose = forms.CharField(
        label="Why you are sharing",
        max_length=300,
        required=False,
        help_text="e.g. “So my mother can help with rides to sessions.”",
    )
    expires_on = ExpiryField(
        label="Sharing ends on",
        required=False,
        help_text="You can stop sharing sooner at any time.",
    )
    signed_name = forms.CharField(
        label="Sign by typing your full name", max_length=200, required=False
    )

    def expires_at(self, zone: ZoneInfo) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        return end_of_day(day, zone) if day else None
