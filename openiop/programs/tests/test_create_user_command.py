"""`manage.py create_user` as API.md describes it."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.lib.totp import base32_to_hex
from openiop.programs.models import Client, ProgramStaff

GOOD = "juniper canyon sextant"


def _run(monkeypatch: pytest.MonkeyPatch, *args: str, password: str | None = GOOD) -> str:
    if password is None:
        monkeypatch.delenv("OPENIOP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("OPENIOP_PASSWORD", password)
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_staff_get_a_working_totp_secret(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _run(
        monkeypatch, "--role", "clinician", "--email", "new.clin@example.test", "--program", "maple"
    )
    match = re.search(r"^totp_secret: ([A-Z2-7]+)$", out, re.MULTILINE)
    assert match, out
    user = User.objects.get(email="new.clin@example.test")
    assert user.role == "clinician" and user.check_password(GOOD)
    assert ProgramStaff.objects.filter(user=user, program=world.program).exists()
    device = user.totpdevice_set.get()  # type: ignore[attr-defined]
    code = totp(bytes.fromhex(base32_to_hex(match.group(1))))
    assert device.verify_token(f"{code:06d}")


def test_client_with_program_gets_a_record(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _run(monkeypatch, "--role", "client", "--email", "Kim@Example.test", "--program", "maple")
    assert "totp_secret" not in out
    client = Client.objects.get(user__email="kim@example.test")
    assert client.program == world.program and client.time_zone == "America/Chicago"


def test_existing_account_with_that_role_gets_the_new_password(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(monkeypatch, "--role", "client", "--email", "alex@example.test")
    world.alex.user.refresh_from_db()
    assert world.alex.user.check_password(GOOD)
    assert Client.objects.filter(user__email="alex@example.test").count() == 1


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "client", "--email", "x@example.test"], None, "OPENIOP_PASSWORD"),
        (["--role", "client", "--email", "x@example.test"], "short", "too short"),
        (["--role", "director", "--email", "alex@example.test"], GOOD, "already exists"),
        (
            ["--role", "clinician", "--email", "y@example.test", "--program", "nope"],
            GOOD,
            "No program",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    password: str | None,
    message: str,
) -> None:
    users_before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        _run(monkeypatch, *args, password=password)
    assert User.objects.count() == users_before
