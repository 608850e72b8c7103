"""Background jobs of the notify app (Django's tasks API; `db_worker` runs them)."""

from django.tasks import task

from openiop.notify.delivery import deliver, dispatch_due


@task
def deliver_message(message_id: int) -> str:
    """Send one message if it is still pending and due; a duplicate run does nothing."""
    return deliver(message_id)


@task
def notify_dispatch_due() -> dict[str, int]:
    """The sweeper: retries that are due, and claims left behind by a worker that died.
    Run it every minute or so (cron: `manage.py notify_dispatch --once`, or enqueue this)."""
    return dispatch_due()
