"""Password rules: length, not composition; common and breached-style passwords refused."""

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from openiop import settings as project_settings
from openiop.accounts.models import User


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # spaces allowed
        "tulip-kettle-orbit",  # no digits, no capitals: fine
        "x" * 3 + "qz9 mountain lake",
        "ü" * 4 + " grüne Wiese am Fluss",  # any character
        "a" + "bcdefghijk" * 12 + "lmnopqr",  # 128 characters
    ],
)
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    assert len(password) <= 128
    validate_password(password, User(email="someone@example.test"))


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "too short"),
        ("x" * 129, "too long"),
        ("password1234", "breached"),
        ("Password123!", "breached"),
        ("P@ssw0rd2024", "breached"),
        ("qwertyuiop12", "breached"),
        ("123456789012", "breached"),
        ("aaaaaaaaaaaa", "breached"),
        ("abababababab", "breached"),
        ("iloveyou2024!", "breached"),
        ("someone.example@example.test", "similar"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    user = User(email="someone.example@example.test")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    text = " ".join(refused.value.messages).lower()
    assert {
        "too short": "too short",
        "too long": "too long",
        "breached": "breached",
        "similar": "similar",
    }[reason] in text or "common" in text


def test_passwords_are_stored_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = User(email="someone@example.test")
    user.set_password("correct horse battery staple")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("correct horse battery staple")
