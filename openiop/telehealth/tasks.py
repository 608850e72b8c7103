"""Background jobs of telehealth (Django's tasks API; `db_worker` runs them)."""

from django.tasks import task
from django.utils import timezone

from openiop.telehealth.models import Room
from openiop.telehealth.services import CLOSE_AFTER_END, room_close, rooms_due_for_close


@task
def room_close_task(room_id: int) -> dict[str, str]:
    """Queued for a few minutes after the session's end when its room is created: presence
    becomes attendance and the Janus room is destroyed. A session moved later since then is
    left for the sweep (`rooms_close_due`)."""
    room = Room.objects.select_related("session").filter(pk=room_id).first()
    if room is None or room.destroyed_at is not None:
        return {}
    if timezone.now() < room.session.ends_at + CLOSE_AFTER_END:
        return {}
    return {str(client): status for client, status in room_close(room).items()}


@task
def rooms_close_due() -> int:
    """Close every room whose session ended more than a few minutes ago (a sweep for rooms
    whose own job was lost or whose session moved); safe to run often."""
    rooms = rooms_due_for_close(timezone.now())
    for room in rooms:
        room_close(room)
    return len(rooms)
