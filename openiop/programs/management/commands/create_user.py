import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from openiop.accounts.models import Role, User
from openiop.accounts.services import (
    totp_install_known_secret,
    user_create,
    user_set_password,
)
from openiop.lib.totp import hex_to_base32
from openiop.programs.models import Program
from openiop.programs.services import client_create, program_staff_add


class Command(BaseCommand):
    help = (
        "Create an account without prompts. The password comes from OPENIOP_PASSWORD. Staff "
        "roles get a TOTP device and its secret is printed as `totp_secret: <base32>`. For an "
        "existing account with the same role (e.g. a client created by a referral) it sets "
        "the password instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--program", help="program slug: staff join it; a client is enrolled in it"
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--time-zone", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("OPENIOP_PASSWORD")
        if not password:
            raise CommandError("Set the password in the environment variable OPENIOP_PASSWORD.")
        email = options["email"].strip().lower()
        role = Role(options["role"])
        try:
            with transaction.atomic():
                user = self._create_or_update(email, role, password, options)
                if user.requires_mfa:
                    secret_hex = os.urandom(20).hex()
                    totp_install_known_secret(user=user, secret_hex=secret_hex)
                    self.stdout.write(f"totp_secret: {hex_to_base32(secret_hex)}")
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"user_id: {user.pk}")

    def _create_or_update(
        self, email: str, role: Role, password: str, options: dict[str, Any]
    ) -> User:
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            if existing.role != role:
                raise CommandError(f"{email} already exists with role {existing.role}.")
            user_set_password(user=existing, password=password)
            return existing
        program = None
        if options["program"]:
            program = Program.objects.filter(slug=options["program"]).first()
            if program is None:
                raise CommandError(f"No program with slug {options['program']!r}.")
        if role == Role.CLIENT and program is not None:
            client = client_create(
                program=program,
                email=email,
                password=password,
                first_name=options["first_name"] or email.split("@")[0],
                last_name=options["last_name"] or "-",
                date_of_birth=None,
                time_zone=options["time_zone"] or program.time_zone,
            )
            return client.user
        user = user_create(
            email=email, role=role, password=password, time_zone=options["time_zone"] or "UTC"
        )
        if program is not None and user.is_staff_role:
            program_staff_add(program=program, user=user)
        return user
