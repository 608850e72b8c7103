"""seed_demo's attendance: last week has figures on the director's hours table."""

from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from openiop.programs.models import Client, Program
from openiop.scheduling.hours import IsoWeek, client_week_hours, compliance_table
from openiop.scheduling.models import Attendance


@pytest.mark.django_db
def test_last_week_has_attendance_and_a_flag_and_the_seed_is_idempotent() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    records = Attendance.objects.count()
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert Attendance.objects.count() == records > 0
    program = Program.objects.get(slug="riverbend-demo")
    week = IsoWeek.of(timezone.localdate(timezone.now(), ZoneInfo(program.time_zone))).previous()
    sam = client_week_hours(Client.objects.get(user__email="sam@demo.openiop.test"), week)
    assert sam.attended_hours == 9.75 and sam.billable_days == 2 and sam.is_met
    rows = {row.client.user.email: row for row in compliance_table(program, week)}
    kendall = rows["kendall@demo.openiop.test"].hours
    assert kendall.attended_hours == 3 and kendall.cannot_meet
    assert Attendance.objects.filter(is_current=False).count() == 1  # the corrected no-show
