"""Emergency numbers by country, for the Help now page and the crisis panel.

A short table of the numbers a caller in that country dials for police, ambulance and fire.
Countries not listed fall back to 911 with the advice to call the local emergency number.
The European Union's 112 works in every member state (and on most mobile networks abroad).
"""

from dataclasses import dataclass

EU_112 = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
# Other countries whose main number is 112 (the EEA, Switzerland, and 112-first countries).
OTHER_112 = frozenset(
    ["IS", "LI", "NO", "CH", "IN", "RU", "UA", "TR", "GE", "MD", "RS", "BA", "ME", "MK", "AL"]
)

_NUMBERS: dict[str, tuple[str, ...]] = {
    "US": ("911",),
    "CA": ("911",),
    "MX": ("911",),
    "PR": ("911",),
    "GB": ("999", "112"),
    "IE": ("112", "999"),
    "AU": ("000", "112"),
    "NZ": ("111",),
    "ZA": ("10111", "112"),
    "JP": ("110", "119"),
    "KR": ("112", "119"),
    "CN": ("110", "120"),
    "HK": ("999",),
    "SG": ("999", "995"),
    "BR": ("190", "192"),
    "AR": ("911",),
    "IL": ("100", "101"),
    "PH": ("911",),
}

DEFAULT_NUMBER = "911"

# The 988 Suicide & Crisis Lifeline (call or text) serves the US; Canada has its own 9-8-8.
CRISIS_LINE_COUNTRIES = frozenset({"US", "CA"})


@dataclass(frozen=True)
class EmergencyNumbers:
    """What to dial in one country; `known` is False when we fell back to the default."""

    country: str
    numbers: tuple[str, ...]
    known: bool

    @property
    def main(self) -> str:
        return self.numbers[0]


def emergency_numbers(country: str) -> EmergencyNumbers:
    code = (country or "").strip().upper()
    if code in _NUMBERS:
        return EmergencyNumbers(code, _NUMBERS[code], True)
    if code in EU_112 or code in OTHER_112:
        return EmergencyNumbers(code, ("112",), True)
    return EmergencyNumbers(code, (DEFAULT_NUMBER,), False)
