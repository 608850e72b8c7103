"""Two people asking for the first ticket of a room at the same moment get one Janus room:
the room row is inserted once (unique per session) and locked while Janus creates it."""

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from openiop.conftest import World
from openiop.telehealth import services
from openiop.telehealth.models import JoinTicket, Room
from openiop.telehealth.tests.conftest import FakeJanus, make_session, sign_consent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
)


def test_two_first_tickets_at_once_make_one_room(
    transactional_db: None, world: World, fake_janus: FakeJanus, monkeypatch: Any
) -> None:
    sign_consent(world.alex)
    session = make_session(
        world, starts_at=timezone.now() - timedelta(minutes=1), clients=(world.alex,)
    )
    slow_create = fake_janus.room_create

    def slow(server: Any, **kwargs: Any) -> None:
        time.sleep(0.3)  # widen the window in which a second request could slip in
        slow_create(server, **kwargs)

    monkeypatch.setattr(services.janus, "room_create", slow)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def ask(user: Any, client: Any) -> None:
        try:
            start.wait()
            services.ticket_issue(user=user, session=session, client=client)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=ask, args=(world.alex.user, world.alex)),
        threading.Thread(target=ask, args=(world.fran, None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert fake_janus.creates == 1 and Room.objects.count() == 1
    assert JoinTicket.objects.filter(room=Room.objects.get()).count() == 2
