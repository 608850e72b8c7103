"""Background jobs of the safety app (Django's tasks API; `db_worker` runs them).

Each is a thin, idempotent wrapper over `openiop.safety.escalation`: running one twice, or
again after a worker died in it, pages nobody twice.
"""

from django.tasks import task

from openiop.safety import escalation


@task(priority=100)
def route_alert(alert_id: int) -> int:
    """Page the first step of a new alert; returns how many pages were written."""
    return len(escalation.alert_page_step(alert_id=alert_id))


@task(priority=100)
def deliver_alert_page(page_id: int) -> bool:
    return escalation.alert_page_deliver(page_id=page_id)


@task(priority=100)
def check_alert_deadline(alert_id: int, step: int) -> bool:
    """At the step's deadline: escalate if nobody has acknowledged."""
    return escalation.alert_escalate(alert_id=alert_id, from_step=step)


@task
def sweep() -> dict[str, int]:
    return escalation.safety_sweep()
