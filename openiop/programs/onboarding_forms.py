"""Onboarding forms. The services check names, phones and countries and word the refusals;
these forms only read the fields, so a refusal reads the same from every page that asks."""

from typing import Any

from django import forms

from openiop.lib.countries import country_choices
from openiop.lib.phones import region_for_zone

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool:
    return value == "yes"


class ConsentSignForm(forms.Form):
    document = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    agreed = forms.BooleanField(label="I have read this consent and I agree to it.", required=False)


def address_initial(client: Any) -> dict[str, str]:
    """The client's home address as the form's initial values (the country guessed from the
    time zone when none is stored yet)."""
    return {
        "line": client.address_line,
        "city": client.city,
        "region": client.region,
        "postal_code": client.postal_code,
        "country": client.country or region_for_zone(client.time_zone),
    }


class ContactsAddressForm(forms.Form):
    contact_name = forms.CharField(
        label="Their name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact_relationship = forms.CharField(
        label="Who they are to you",
        max_length=100,
        required=False,
        help_text="For example: sister, partner, friend, neighbour.",
    )
    contact_phone = forms.CharField(
        label="Their phone number",
        max_length=32,
        required=False,
        help_text="Add the country code, such as +44, for a number outside your country.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    contact_is_support_person = forms.TypedChoiceField(
        label="Are they your support person?",
        help_text="Someone who helps you through the program and may join a family session.",
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    contact_consent_to_contact = forms.TypedChoiceField(
        label="May your care team contact them if they are worried about your safety?",
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    line = forms.CharField(
        label="Street address",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label="Town or city",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label="State, province or county (if any)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label="ZIP or postal code (if any)",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        error_messages={"invalid_choice": "Choose your country from the list."},
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )

    CONTACT_FIELDS = (
        "contact_name",
        "contact_relationship",
        "contact_phone",
        "contact_is_support_person",
        "contact_consent_to_contact",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose your country"), *country_choices()]
        self.fields["country"].choices = choices  # type: ignore[attr-defined]

    def contact_given(self) -> bool:
        """Did the client start filling in a new contact? (Then every contact field counts.)"""
        return any(self.cleaned_data.get(name) not in (None, "") for name in self.CONTACT_FIELDS)
