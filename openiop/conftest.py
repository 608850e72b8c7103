"""Shared personas (healthchecks' `hc/test.py` idea): one small world every test can use.

Program A ("Maple") has client Alex with a care team (primary clinician Casey, facilitator
Fran), a second client Blair on another clinician's caseload, and staff who are *not* on
Alex's team. Program B ("Birch") has its own director and clinician. Names are fictional.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User
from openiop.accounts.services import totp_install_known_secret, user_create
from openiop.programs.models import Client, Program
from openiop.programs.services import (
    care_team_add,
    client_create,
    program_create,
    program_staff_add,
)

pytest_plugins = ["openiop.browser"]  # browser-test fixtures (Playwright + Chromium)

PASSWORD = "correct horse battery staple"
TOTP_SECRET_HEX = "00112233445566778899aabbccddeeff00112233"


@dataclass
class World:
    program: Program
    other_program: Program
    alex: Client  # the client whose record everyone tries to read
    blair: Client  # another client of the same program, not on Casey's caseload
    casey: User  # Alex's primary clinician
    fran: User  # facilitator on Alex's care team
    quinn: User  # clinician in the same program, not on Alex's team
    gale: User  # facilitator of another group, same program, not on Alex's team
    dale: User  # director of Alex's program
    birch_director: User  # director of the other program
    birch_clinician: User  # clinician of the other program
    cora: User  # compliance officer
    ada: User  # site admin
    fay: User  # family member, no consent recorded

    def staff(self) -> list[User]:
        return [
            self.casey,
            self.fran,
            self.quinn,
            self.gale,
            self.dale,
            self.birch_director,
            self.birch_clinician,
            self.cora,
            self.ada,
        ]


def without_csrf(body: bytes) -> str:
    """A page's HTML without its per-response CSRF tokens, for comparing two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"


def _staff(email: str, role: str, name: str, program: Program | None) -> User:
    user = user_create(email=email, role=role, password=PASSWORD, display_name=name)
    totp_install_known_secret(user=user, secret_hex=TOTP_SECRET_HEX)
    if program is not None:
        program_staff_add(program=program, user=user)
    return user


@pytest.fixture
def world(db: None) -> World:
    maple = program_create(
        name="Maple Test IOP",
        slug="maple",
        time_zone="America/Chicago",
        level_of_care="iop_adult",
        on_call_phone="+1 555 0100 999",
    )
    birch = program_create(
        name="Birch Test IOP",
        slug="birch",
        time_zone="Europe/London",
        level_of_care="iop_adolescent",
    )
    casey = _staff("casey@example.test", "clinician", "Casey Primary", maple)
    fran = _staff("fran@example.test", "facilitator", "Fran Facilitator", maple)
    quinn = _staff("quinn@example.test", "clinician", "Quinn Unassigned", maple)
    gale = _staff("gale@example.test", "facilitator", "Gale Othergroup", maple)
    dale = _staff("dale@example.test", "director", "Dale Director", maple)
    alex = client_create(
        program=maple,
        email="alex@example.test",
        first_name="Alex",
        last_name="Testperson",
        date_of_birth=date(1990, 1, 2),
        time_zone="America/Chicago",
        password=PASSWORD,
    )
    blair = client_create(
        program=maple,
        email="blair@example.test",
        first_name="Blair",
        last_name="Otherperson",
        date_of_birth=date(1988, 5, 6),
        time_zone="America/New_York",
        password=PASSWORD,
    )
    care_team_add(client=alex, user=casey, role="primary", actor=None)
    care_team_add(client=alex, user=fran, role="facilitator", actor=None)
    care_team_add(client=blair, user=quinn, role="primary", actor=None)
    care_team_add(client=blair, user=gale, role="facilitator", actor=None)
    return World(
        program=maple,
        other_program=birch,
        alex=alex,
        blair=blair,
        casey=casey,
        fran=fran,
        quinn=quinn,
        gale=gale,
        dale=dale,
        birch_director=_staff("bdir@example.test", "director", "Birch Director", birch),
        birch_clinician=_staff("bclin@example.test", "clinician", "Birch Clinician", birch),
        cora=_staff("cora@example.test", "compliance", "Cora Compliance", None),
        ada=_staff("ada@example.test", "admin", "Ada Admin", None),
        fay=user_create(email="fay@example.test", role="family", password=PASSWORD),
    )


@pytest.fixture
def login_as(client: HttpClient) -> Callable[[User], HttpClient]:
    """Sign a user in on the test client, with the second factor already passed for staff."""

    def _login(user: User) -> HttpClient:
        client.force_login(user)
        if user.requires_mfa:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_test_settings(settings: Any) -> Iterator[None]:
    """Tests run background tasks in-process unless a test asks for the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is deliberately slow; the personas would cost seconds per test. A test of the
    # hasher itself reads openiop.settings directly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded documents go to a temporary directory, never into the project's var/."""
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path_factory.mktemp("documents")
