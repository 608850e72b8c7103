from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from openiop.accounts.models import User
from openiop.accounts.services import totp_install_known_secret, user_create
from openiop.demo import data
from openiop.demo.attendance import seed_attendance
from openiop.demo.bookings import seed_bookings
from openiop.demo.care import seed_care
from openiop.demo.enrollments import seed_enrollments, seed_tracks
from openiop.demo.measures import seed_measures
from openiop.demo.notes import seed_notes
from openiop.demo.notify import seed_notify
from openiop.demo.onboarding import seed_onboarding
from openiop.demo.referrals import seed_referral
from openiop.demo.resources import seed_resources
from openiop.demo.safety import seed_safety
from openiop.demo.series import seed_series
from openiop.demo.telehealth import seed_telehealth
from openiop.lib.totp import hex_to_base32
from openiop.programs.models import Client, Enrollment, Program, Track
from openiop.programs.services import (
    care_team_add,
    client_create,
    enrollment_open,
    enrollment_transition,
    program_create,
    program_staff_add,
)
from openiop.programs.services.discharge import discharge_summary_draft, discharge_summary_sign


class Command(BaseCommand):
    help = "Create the fictional demo program, staff and clients (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="print no logins")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        programs = {slug: self._program(slug, *rest) for slug, *rest in data.PROGRAMS}
        for email, role, name, slug, secret in data.STAFF:
            zone = programs[slug].time_zone if slug else "UTC"  # staff work in their program's
            user = self._user(email, role, name, time_zone=zone)
            if (
                user.requires_mfa
                and not user.totpdevice_set.filter(  # type: ignore[attr-defined]
                    key=secret, confirmed=True
                ).exists()
            ):
                totp_install_known_secret(user=user, secret_hex=secret)
            if slug:
                program_staff_add(program=programs[slug], user=user)
        seed_tracks()
        for email, first, last, dob, zone, slug, primary, facilitator in data.CLIENTS:
            client = Client.objects.filter(user__email=email).first() or client_create(
                program=programs[slug],
                email=email,
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                time_zone=zone,
                password=data.DEMO_PASSWORD,
            )
            if not client.care_team.filter(role="primary").exists():
                care_team_add(
                    client=client, user=User.objects.get(email=primary), role="primary", actor=None
                )
            if facilitator and not client.care_team.filter(user__email=facilitator).exists():
                care_team_add(
                    client=client,
                    user=User.objects.get(email=facilitator),
                    role="facilitator",
                    actor=None,
                )
        for email, name in data.FAMILY:
            # Sam's family member lives where Sam's program is: times shown in its zone.
            self._user(email, "family", name, time_zone="America/Chicago")
        seed_onboarding()
        seed_referral()
        self._discharged_client(programs)
        seed_enrollments([email for email, *_rest in data.CLIENTS])  # whoever has none yet
        seed_series()
        seed_bookings()  # after the series: Sam joins their occurrences
        seed_attendance()  # last week's groups, for the hours compliance table
        # One module per later area, in dependency order (each idempotent).
        seed_notify()
        seed_resources()
        seed_safety()
        seed_measures()
        seed_telehealth()
        seed_care()
        seed_notes()
        if not options["quiet"]:
            self._print_logins()

    def _program(
        self, slug: str, name: str, zone: str, level: str, on_call: str, dial_in: str
    ) -> Program:
        existing = Program.objects.filter(slug=slug).first()
        return existing or program_create(
            name=name,
            slug=slug,
            time_zone=zone,
            level_of_care=level,
            on_call_phone=on_call,
            dial_in_phone=dial_in,
        )

    def _discharged_client(self, programs: dict[str, Program]) -> None:
        """One client through the whole episode, discharged with a signed summary."""
        email, first, last, dob, zone, slug, primary = data.DISCHARGED_CLIENT
        if Client.objects.filter(user__email=email).exists():
            return  # seeded before (the whole seed is one transaction)
        program = programs[slug]
        clinician = User.objects.get(email=primary)
        client = client_create(
            program=program,
            email=email,
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            time_zone=zone,
            password=data.DEMO_PASSWORD,
        )
        care_team_add(client=client, user=clinician, role="primary", actor=None)
        track_name, schedule, population = data.DISCHARGED_TRACK
        track, _ = Track.objects.get_or_create(
            program=program,
            name=track_name,
            defaults={"schedule_label": schedule, "population": population},
        )
        enrollment = enrollment_open(client=client, program=program, actor=None, track=track)
        for phase in ("intake", "active"):
            enrollment_transition(enrollment=enrollment, to_phase=phase, reason="demo", actor=None)
        enrollment = Enrollment.objects.get(pk=enrollment.pk)
        summary = discharge_summary_draft(
            enrollment=enrollment, actor=clinician, **data.DISCHARGE_SUMMARY
        )
        discharge_summary_sign(summary=summary, actor=clinician)

    def _user(self, email: str, role: str, name: str, time_zone: str = "UTC") -> User:
        existing = User.objects.filter(email=email).first()
        return existing or user_create(
            email=email,
            role=role,
            password=data.DEMO_PASSWORD,
            display_name=name,
            time_zone=time_zone,
        )

    def _print_logins(self) -> None:
        write = self.stdout.write
        write(f"\nDemo logins (all fictional). Password for every account: {data.DEMO_PASSWORD!r}")
        write("Staff also need a TOTP code: add the secret to an authenticator app, or run")
        write("  .venv/bin/python manage.py totp_code EMAIL\n")
        for email, role, _name, _slug, secret in data.STAFF:
            write(f"  {role:<12} {email:<36} totp secret {hex_to_base32(secret)}")
        for email, *_rest in data.CLIENTS:
            write(f"  {'client':<12} {email}")
        write(f"  {'client':<12} {data.DISCHARGED_CLIENT[0]} (discharged)")
        for email, _name in data.FAMILY:
            write(f"  {'family':<12} {email}")
        write("")
