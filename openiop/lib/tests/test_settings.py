"""Settings come from the environment, fail loudly on bad values, and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from openiop.lib import env

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "OPENIOP_ENV": "production",
    "OPENIOP_SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
    "OPENIOP_ALLOWED_HOSTS": "iop.example.org",
}


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENIOP_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start() -> None:
    settings = {k: v for k, v in PRODUCTION.items() if k != "OPENIOP_SECRET_KEY"}
    result = _manage("check", extra_env=settings)
    assert result.returncode != 0
    assert "OPENIOP_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("OPENIOP_DEBUG", "maybe", "is not a boolean"),
        ("OPENIOP_EMAIL_PORT", "twenty-five", "is not an integer"),
        ("OPENIOP_ENV", "staging", "must be one of"),
    ],
)
def test_a_bad_value_stops_start_up_with_its_name(variable: str, value: str, message: str) -> None:
    result = _manage("check", extra_env={variable: value})
    assert result.returncode != 0
    assert variable in result.stderr and message in result.stderr


def test_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "-3")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env.env_bool("X_BOOL", default=False) is True
    assert env.env_list("X_LIST", []) == ["a", "b", "c"]
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env.env_int("X_INT", 1, minimum=0)
    assert env.env_int("X_MISSING", 7) == 7
