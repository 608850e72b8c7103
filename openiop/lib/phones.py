"""Phone numbers: parse what a person typed, store E.164, guess a region from a time zone."""

import functools
import zoneinfo
from pathlib import Path

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "US"


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """`raw` as E.164 (+13125550123); a number without a leading + is read in `region`.

    Raises ValidationError with a message that says what to fix.
    """
    text = " ".join((raw or "").split())
    region = (region or DEFAULT_REGION).upper()
    if not text:
        raise ValidationError("Enter a phone number.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "That is not a phone number. Enter the digits, such as +1 312 555 0123."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"{text} is not a valid phone number. Check the digits, or start with + and "
            "the country code (for example +44 20 7946 0958)."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.cache
def _zone_countries() -> dict[str, str]:
    # zone.tab ships with the system's tz database: "<country>\t<coordinates>\t<zone>...".
    for base in zoneinfo.TZPATH:
        table = Path(base) / "zone.tab"
        if table.is_file():
            countries = {}
            for line in table.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if not line.startswith("#") and len(parts) >= 3:
                    countries[parts[2]] = parts[0]
            return countries
    return {}


def region_for_zone(zone: str) -> str:
    """The country of an IANA zone (Europe/London -> GB); DEFAULT_REGION when unknown."""
    return _zone_countries().get(zone, DEFAULT_REGION)


def display_phone(stored: str) -> str:
    """A stored E.164 number laid out for reading (+1 312-555-0142); other text unchanged."""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
