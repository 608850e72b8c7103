"""The end-of-session job is queued with the room, for a few minutes after the end."""

from datetime import timedelta
from typing import Any

from openiop.conftest import World
from openiop.telehealth import services, tasks
from openiop.telehealth.models import Room
from openiop.telehealth.tests.conftest import FakeJanus


def test_room_creation_queues_its_close_after_the_end(
    world: World,
    group_now: Any,
    fake_janus: FakeJanus,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        room = services.room_ensure(group_now)
    (job,) = DBTaskResult.objects.filter(task_path="openiop.telehealth.tasks.room_close_task")
    assert job.args_kwargs["args"] == [room.pk]
    assert job.run_after == group_now.ends_at + services.CLOSE_AFTER_END
    # Run early (the session was moved later, or a clock is off): it does nothing.
    assert tasks.room_close_task.call(room.pk) == {}
    assert Room.objects.get().destroyed_at is None


def test_sweep_closes_rooms_whose_session_ended(
    world: World, group_now: Any, fake_janus: FakeJanus, settings: Any
) -> None:
    room = services.room_ensure(group_now)
    assert tasks.rooms_close_due.call() == 0
    group_now.starts_at -= timedelta(hours=3)
    group_now.ends_at -= timedelta(hours=2)
    group_now.save()
    assert tasks.rooms_close_due.call() == 1
    room.refresh_from_db()
    assert room.destroyed_at is not None and fake_janus.destroyed == [room.number]
