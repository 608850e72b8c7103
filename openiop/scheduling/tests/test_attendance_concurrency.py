"""Two taps on the roster at the same moment (two devices, or a facilitator and the video
room): the session row lock lets the first record in; the second then sees it and, having
no reason, is refused as a correction instead of failing on the one-current constraint."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from openiop.conftest import World
from openiop.scheduling.models import Attendance
from openiop.scheduling.services.attendance import REASON_NEEDED, attendance_record
from openiop.scheduling.tests.attendance_support import book, make_session

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
)


def test_two_first_records_at_once_keep_one_and_refuse_the_other(
    transactional_db: None, world: World
) -> None:
    session = make_session(world.program, world.fran, timezone.now() - timedelta(hours=1))
    book(session, world.alex)
    start = threading.Barrier(2)
    refused: list[str] = []
    errors: list[BaseException] = []

    def tap(status: str) -> None:
        try:
            start.wait()
            attendance_record(
                session=session,
                client=world.alex,
                status=status,
                source="roster",
                actor=world.fran,
            )
        except ValidationError as error:
            refused.extend(error.messages)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(s,)) for s in ("present", "late")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert refused == [REASON_NEEDED]
    assert Attendance.objects.filter(session=session).count() == 1
