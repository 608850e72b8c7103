"""Paging and escalation: the on-duty clinician first, then backup, then director; each
page exactly once whatever the jobs and workers do; nobody reachable shows red everywhere."""

from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from openiop.conftest import World
from openiop.notify.models import Message
from openiop.programs.models import ProgramStaff
from openiop.safety import escalation, routing, tasks
from openiop.safety.models import AlertPage, AlertRouting, AlertStep, StaffHours
from openiop.safety.services import alert_acknowledge
from openiop.safety.tests.support import (
    CHICAGO,
    EVENING,
    WORKING,
    Capture,
    clinician,
    raise_measure_alert,
    shift,
)
from openiop.scheduling.models import Closure

pytestmark = pytest.mark.django_db


def _sweep(capture: Capture) -> None:
    with capture(execute=True):
        call_command("safety_sweep", verbosity=0)


def _paged(alert_id: int) -> list[tuple[int, str]]:
    return [
        (p.step, p.recipient.email)
        for p in AlertPage.objects.filter(alert_id=alert_id).select_related("recipient")
    ]


def test_a_phq9_item9_alert_pages_the_on_duty_primary_clinician_once(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(WORKING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
    assert _paged(alert.pk) == [(AlertStep.FIRST, world.casey.email)]
    (mail,) = mailoutbox
    assert mail.to == [world.casey.email]
    assert f"/alerts/{alert.pk}/" in mail.body
    # No PHI in a staff notification: no client name, no reason.
    for text in ("Alex", "Testperson", "PHQ", "item 9"):
        assert text not in mail.body and text not in mail.subject
    routing_row = AlertRouting.objects.get(alert=alert)
    assert routing_row.deadline_at == WORKING + timedelta(minutes=5)
    assert AlertPage.objects.get(alert=alert).sent_at is not None


def test_no_acknowledgement_escalates_at_the_deadline_to_backup_then_director(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    olive, bo = clinician(world, "Olive"), clinician(world, "Bo")
    shift(world, olive, bo, EVENING - timedelta(hours=2), EVENING + timedelta(hours=12))
    with time_machine.travel(EVENING, tick=False) as clock:
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        # Casey is off duty at 20:00: the on-call clinician gets it.
        assert _paged(alert.pk) == [(0, olive.email)]
        clock.move_to(EVENING + timedelta(minutes=4, seconds=59))
        _sweep(django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 1  # not yet due
        clock.move_to(EVENING + timedelta(minutes=5))
        _sweep(django_capture_on_commit_callbacks)
        assert _paged(alert.pk) == [(0, olive.email), (1, bo.email)]
        assert [m.to for m in mailoutbox] == [[olive.email], [bo.email]]
        clock.move_to(EVENING + timedelta(minutes=10))
        _sweep(django_capture_on_commit_callbacks)
        _sweep(django_capture_on_commit_callbacks)  # again: nothing more
    assert _paged(alert.pk)[-1] == (2, world.dale.email)
    assert [m.to for m in mailoutbox] == [[olive.email], [bo.email], [world.dale.email]]
    assert AlertRouting.objects.get(alert=alert).escalated


def test_the_deadline_task_itself_escalates_and_is_a_no_op_when_run_again(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    olive, bo = clinician(world, "Olive"), clinician(world, "Bo")
    shift(world, olive, bo, EVENING - timedelta(hours=2), EVENING + timedelta(hours=12))
    with time_machine.travel(EVENING, tick=False) as clock:
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        assert tasks.check_alert_deadline.call(alert_id=alert.pk, step=0) is False  # early
        clock.move_to(EVENING + timedelta(minutes=6))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.check_alert_deadline.call(alert_id=alert.pk, step=0) is True
            assert tasks.check_alert_deadline.call(alert_id=alert.pk, step=0) is False
    assert len(mailoutbox) == 2


def test_an_acknowledged_alert_does_not_escalate(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(WORKING, tick=False) as clock:
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        alert_acknowledge(alert=alert, actor=world.casey)
        clock.move_to(WORKING + timedelta(hours=2))
        _sweep(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert _paged(alert.pk) == [(0, world.casey.email)]


def test_running_every_job_twice_pages_each_person_once(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(WORKING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        page = AlertPage.objects.get(alert=alert)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.route_alert.call(alert_id=alert.pk)
            tasks.route_alert.call(alert_id=alert.pk)
            tasks.deliver_alert_page.call(page_id=page.pk)
            tasks.deliver_alert_page.call(page_id=page.pk)
        _sweep(django_capture_on_commit_callbacks)
    assert AlertPage.objects.filter(alert=alert).count() == 1
    assert len(mailoutbox) == 1


class WorkerKilled(BaseException):
    """Stands in for the worker process dying (not an Exception: nothing catches it)."""


def test_a_worker_killed_mid_delivery_delivers_exactly_once_on_the_rerun(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    real_save = AlertPage.save

    def dies_after_writing(self: AlertPage, *args: Any, **kwargs: Any) -> None:
        real_save(self, *args, **kwargs)  # the sent_at row is written ...
        if kwargs.get("update_fields") == ["sent_at"]:
            raise WorkerKilled  # ... and the worker dies before the job commits

    with time_machine.travel(WORKING, tick=False):
        with mock.patch.object(AlertPage, "save", dies_after_writing):
            # The in-process queue records the job as failed, as a dead worker's job is left.
            raise_measure_alert(world, django_capture_on_commit_callbacks)
        (page,) = AlertPage.objects.all()
        assert page.sent_at is None and mailoutbox == []  # rolled back: nothing went out
        # The job runs again (and the sweep too): one message.
        with django_capture_on_commit_callbacks(execute=True):
            tasks.deliver_alert_page.call(page_id=page.pk)
        _sweep(django_capture_on_commit_callbacks)
        # A worker that died after the commit, before reporting done: the rerun is a no-op.
        with django_capture_on_commit_callbacks(execute=True):
            tasks.deliver_alert_page.call(page_id=page.pk)
    assert len(mailoutbox) == 1
    page.refresh_from_db()
    assert page.sent_at is not None
    # The gateway's own records: one message per staff channel for the page's key.
    channels = Message.objects.filter(key=page.key).values_list("channel", flat=True)
    assert sorted(channels) == ["email", "inapp"]


def test_a_lost_routing_job_is_done_by_the_sweep(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(WORKING, tick=False):
        # The commit happens but the job never runs (callbacks dropped, as after a crash).
        with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
            alert = raise_alert_quietly(world)
        assert AlertPage.objects.count() == 0
        _sweep(django_capture_on_commit_callbacks)
        _sweep(django_capture_on_commit_callbacks)
    assert _paged(alert.pk) == [(0, world.casey.email)]
    assert len(mailoutbox) == 1


def raise_alert_quietly(world: World) -> escalation.Alert:
    from openiop.safety.services import alert_raise

    return alert_raise(client=world.alex, severity="moderate", source="checkin", reason="words")


def test_the_primary_clinician_outside_their_own_hours_is_skipped_for_on_call(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    olive = clinician(world, "Olive")
    shift(world, olive, None, WORKING - timedelta(hours=1), WORKING + timedelta(hours=8))
    # Casey works Mondays only: Wednesday 10:00 is off duty for Casey.
    StaffHours.objects.create(
        user=world.casey,
        program=world.program,
        weekday=0,
        start=datetime(2026, 1, 1, 8).time(),
        end=datetime(2026, 1, 1, 18).time(),
    )
    with time_machine.travel(WORKING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
    assert _paged(alert.pk) == [(0, olive.email)]
    assert [m.to for m in mailoutbox] == [[olive.email]]


def test_nobody_on_call_goes_to_the_director_and_shows_red_on_every_staff_dashboard(
    world: World,
    django_capture_on_commit_callbacks: Capture,
    mailoutbox: list[Any],
    login_as: Any,
) -> None:
    with time_machine.travel(EVENING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        assert _paged(alert.pk) == [(AlertStep.DIRECTOR, world.dale.email)]
        assert [m.to for m in mailoutbox] == [[world.dale.email]]
        for person in (world.quinn, world.gale, world.casey, world.dale):
            page = login_as(person).get("/")
            assert 'class="banner red"' in page.content.decode(), person
        outsider = login_as(world.birch_clinician).get("/")
        assert 'class="banner red"' not in outsider.content.decode()


def test_with_no_director_either_the_alert_is_unrouted_and_red(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any], login_as: Any
) -> None:
    ProgramStaff.objects.filter(user=world.dale).delete()
    with time_machine.travel(EVENING, tick=False):
        alert = raise_measure_alert(world, django_capture_on_commit_callbacks)
        assert AlertRouting.objects.get(alert=alert).unrouted
        body = login_as(world.quinn).get("/").content.decode()
    assert "Nobody could be paged" in body
    assert "Alex" not in body  # quinn may not see Alex: the banner names no client
    assert mailoutbox == []


def test_low_alerts_are_due_the_next_business_morning_across_the_dst_change(
    world: World,
) -> None:
    # Friday 30 October 2026, 16:00 CDT; Monday 2 November is CST (clocks went back on 1 Nov).
    friday = datetime(2026, 10, 30, 16, 0, tzinfo=CHICAGO)
    due = routing.deadline_for("low", world.program, friday)
    assert due == datetime(2026, 11, 2, 9, 0, tzinfo=CHICAGO)
    assert due.utcoffset() == timedelta(hours=-6)
    assert routing.deadline_for("moderate", world.program, friday) == friday + timedelta(hours=1)


def test_low_alerts_skip_the_programs_closure_days(world: World) -> None:
    # Wednesday 23 December 2026, 16:00; the program is closed on Thursday 24 and Friday 25:
    # the low alert is due Monday 28 December at 09:00.
    for day, reason in ((date(2026, 12, 24), "Christmas Eve"), (date(2026, 12, 25), "Christmas")):
        Closure.objects.create(program=world.program, date=day, reason=reason)
    Closure.objects.create(program=world.other_program, date=date(2026, 12, 28), reason="Other")
    wednesday = datetime(2026, 12, 23, 16, 0, tzinfo=CHICAGO)
    assert routing.deadline_for("low", world.program, wednesday) == datetime(
        2026, 12, 28, 9, 0, tzinfo=CHICAGO
    )
    # On the holiday itself a clinician on the program's default hours is not on duty (the
    # on-call clinician is paged instead); the day before they are.
    christmas_eve_10am = datetime(2026, 12, 24, 10, 0, tzinfo=CHICAGO)
    assert not routing.is_working(world.casey, world.program, christmas_eve_10am)
    assert routing.is_working(world.casey, world.program, wednesday - timedelta(hours=2))


def test_on_the_database_queue_the_jobs_commit_with_the_alert(
    world: World, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class CauseFailed(Exception):
        pass

    with time_machine.travel(WORKING, tick=False):
        with pytest.raises(CauseFailed), transaction.atomic():
            raise_alert_quietly(world)
            raise CauseFailed  # the response that caused it is rolled back: so is the job
        assert not DBTaskResult.objects.exists()
        with transaction.atomic():
            alert = raise_alert_quietly(world)
        (job,) = DBTaskResult.objects.all()
        assert job.task_path == "openiop.safety.tasks.route_alert"
        assert job.args_kwargs["kwargs"] == {"alert_id": alert.pk}
        # The routing job, run by a worker, queues the delivery and the deadline check.
        with django_capture_on_commit_callbacks(execute=True):
            tasks.route_alert.call(alert_id=alert.pk)
        paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
        assert "openiop.safety.tasks.deliver_alert_page" in paths
        deadline_job = DBTaskResult.objects.get(
            task_path="openiop.safety.tasks.check_alert_deadline"
        )
        assert deadline_job.run_after == WORKING + timedelta(hours=1)
