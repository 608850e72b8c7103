"""Two workers escalating the same alert at the same moment page the backup once
(PostgreSQL row locks; SQLite serialises whole transactions anyway)."""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, connections, transaction

from openiop.conftest import World
from openiop.notify.models import Message
from openiop.safety import escalation
from openiop.safety.models import AlertPage
from openiop.safety.services import alert_raise
from openiop.safety.tests.support import EVENING, clinician, shift

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
)


def _at_once(jobs: list[Callable[[], Any]]) -> list[BaseException]:
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            start.wait()
            job()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_workers_escalating_at_once_page_the_backup_once(
    transactional_db: None, world: World, mailoutbox: list[Any]
) -> None:
    olive, bo = clinician(world, "Olive"), clinician(world, "Bo")
    shift(world, olive, bo, EVENING - timedelta(hours=1), EVENING + timedelta(hours=8))
    with time_machine.travel(EVENING, tick=False) as clock:
        with transaction.atomic():
            alert = alert_raise(client=world.alex, severity="high", source="measure", reason="x")
        assert list(AlertPage.objects.values_list("recipient", flat=True)) == [olive.pk]
        clock.move_to(EVENING + timedelta(minutes=6))
        errors = _at_once(
            [
                lambda: escalation.alert_escalate(alert_id=alert.pk, from_step=0),
                lambda: escalation.alert_escalate(alert_id=alert.pk, from_step=0),
                escalation.safety_sweep,
            ]
        )
    assert errors == []
    pages = AlertPage.objects.filter(alert=alert).order_by("step")
    assert [(p.step, p.recipient_id) for p in pages] == [(0, olive.pk), (1, bo.pk)]
    backup_key = pages[1].key
    assert Message.objects.filter(key=backup_key, channel="email").count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([olive.email, bo.email])
