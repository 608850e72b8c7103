"""Password rules in the spirit of NIST SP 800-63B: length, not composition.

At least 12 and at most 128 characters, anything printable (spaces and pasting allowed),
and not a password that attackers try first: Django's common-password list catches the
exact ones; `BreachedPatternValidator` catches their usual disguises ("Password123!",
"p@ssw0rd2024", "aaaaaaaaaaaa", "123456789012", "qwertyuiop12").
"""

import re
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

_LEET = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "3": "e",
        "1": "i",
        "!": "i",
        "0": "o",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
    }
)
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Use at most {self.max_length} characters."


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _is_keyboard_walk(text: str) -> bool:
    if len(text) < 4:
        return False
    # Rows wrap around ("901234"), and walks go either way.
    return any(text in row * 2 or text in (row * 2)[::-1] for row in _KEYBOARD_ROWS)


class BreachedPatternValidator:
    """Refuse passwords that are a common password dressed up with digits, symbols or leet."""

    message = (
        "This password follows a pattern found in breached-password lists. "
        "A few unrelated words make a strong password that is easy to remember."
    )

    def validate(self, password: str, user: object = None) -> None:
        lowered = password.lower().strip()
        if len(set(lowered)) <= 2:
            raise ValidationError(self.message, code="password_breached_pattern")
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
        candidates = {lowered, core, lowered.translate(_LEET), core.translate(_LEET)}
        common = _common_passwords()
        for candidate in candidates:
            squashed = re.sub(r"[\s\W_]+", "", candidate)
            if not squashed:
                continue
            stripped = re.sub(r"\d+$", "", squashed)
            if (
                squashed in common
                or (len(stripped) >= 4 and stripped in common)
                or _is_keyboard_walk(squashed)
                or _is_keyboard_walk(stripped)
            ):
                raise ValidationError(self.message, code="password_breached_pattern")

    def get_help_text(self) -> str:
        return "Avoid common passwords and their variations with numbers or symbols."
