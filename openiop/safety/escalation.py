"""Paging and escalating alerts until someone acknowledges them.

Every function here is idempotent and takes the alert's row lock first, so the routing task,
the deadline task, a second worker and the `safety_sweep` command may all run at once:

- `alert_page_step` pages everyone at the alert's current step who has no page yet (one
  `AlertPage` per alert, step and recipient: a unique row), skipping steps with nobody;
- `alert_page_deliver` hands one page to the delivery channel and marks it sent, in one
  transaction: a worker that dies before the commit leaves it unsent for the rerun, one that
  dies after leaves it sent, so each page goes out once;
- `alert_escalate` moves an unanswered alert past its deadline to the next step.

Jobs are written with the alert (see `enqueue`), and the sweep finds anything a lost job left.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.tasks import Task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.safety import delivery, routing
from openiop.safety.models import Alert, AlertPage, AlertRouting, AlertState, AlertStep


def enqueue(task: Task, *, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue `task` with the current transaction.

    On the database queue the job row is written inside the transaction, so it commits (or
    rolls back) with the alert. Other backends (the in-process one tests use) run the job at
    once, so it waits for the commit. A job that needs `run_after` on a backend without it is
    left to the sweep, which checks every deadline anyway.
    """
    backend = task.get_backend()
    if run_after is not None and not backend.supports_defer:
        return
    bound = task.using(run_after=run_after) if run_after is not None else task
    if isinstance(backend, DatabaseBackend):
        bound.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: bound.enqueue(**kwargs))


def page_key(alert_id: int, step: int, recipient_id: int) -> str:
    return f"safety-alert:{alert_id}:{step}:{recipient_id}"


def _locked(alert_id: int) -> tuple[Alert, AlertRouting] | None:
    alert = (
        Alert.objects.select_for_update()
        .select_related("client__program")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        return None
    routing_row, _ = AlertRouting.objects.select_for_update().get_or_create(alert=alert)
    return alert, routing_row


def _queue_deliveries_and_deadline(alert: Alert, routing_row: AlertRouting) -> None:
    from openiop.safety import tasks

    for page_id in alert.pages.filter(sent_at__isnull=True).values_list("pk", flat=True):
        enqueue(tasks.deliver_alert_page, page_id=page_id)
    if routing_row.deadline_at is not None and routing_row.step < AlertStep.DIRECTOR:
        enqueue(
            tasks.check_alert_deadline,
            run_after=routing_row.deadline_at,
            alert_id=alert.pk,
            step=routing_row.step,
        )


@transaction.atomic
def alert_page_step(*, alert_id: int) -> list[AlertPage]:
    """Page the alert's current step (skipping steps with nobody); returns new pages."""
    locked = _locked(alert_id)
    if locked is None:
        return []
    alert, routing_row = locked
    if alert.state != AlertState.OPEN:
        return []
    now = timezone.now()
    step = routing_row.step
    people = routing.recipients_for(alert, step, now)
    while not people and step < AlertStep.DIRECTOR:
        step += 1
        people = routing.recipients_for(alert, step, now)
    created = []
    for person in people:
        page, made = AlertPage.objects.get_or_create(
            alert=alert,
            step=step,
            recipient=person,
            defaults={"key": page_key(alert.pk, step, person.pk), "created_at": now},
        )
        if made:
            created.append(page)
            audit_record(
                actor=None,
                action=Action.CREATE,
                object_type="safety.alert_page",
                object_id=page.pk,
                client_id=alert.client_id,
            )
    if step != routing_row.step or routing_row.deadline_at is None:
        routing_row.deadline_at = (
            routing.deadline_for(alert.severity, alert.client.program, now) if people else None
        )
    routing_row.step = step
    routing_row.unrouted = not people
    routing_row.routed_at = routing_row.routed_at or now
    routing_row.save()
    _queue_deliveries_and_deadline(alert, routing_row)
    return created


@transaction.atomic
def alert_page_deliver(*, page_id: int) -> bool:
    """Send one page if it has not gone yet; True when it was sent now."""
    page = (
        AlertPage.objects.select_for_update()
        .select_related("recipient", "alert")
        .filter(pk=page_id)
        .first()
    )
    if page is None or page.sent_at is not None or page.alert.state != AlertState.OPEN:
        return False
    delivery.deliver(
        user=page.recipient,
        key=page.key,
        subject=delivery.ALERT_SUBJECT,
        body=delivery.ALERT_BODY,
        link=reverse("safety:alert_detail", args=[page.alert_id]),
    )
    page.sent_at = timezone.now()
    page.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def alert_escalate(*, alert_id: int, from_step: int) -> bool:
    """Move an open alert whose deadline has passed from `from_step` to the next step and page
    it. A no-op when it was acknowledged, has moved on already, or is not yet due."""
    locked = _locked(alert_id)
    if locked is None:
        return False
    alert, routing_row = locked
    now = timezone.now()
    due = routing_row.deadline_at is not None and routing_row.deadline_at <= now
    if alert.state != AlertState.OPEN or routing_row.step != from_step or not due:
        return False
    if routing_row.step >= AlertStep.DIRECTOR:
        routing_row.deadline_at = None
        routing_row.save(update_fields=["deadline_at"])
        return False
    routing_row.step += 1
    routing_row.deadline_at = None
    routing_row.save(update_fields=["step", "deadline_at"])
    audit_record(
        actor=None,
        action=Action.UPDATE,
        object_type="safety.alert_escalation",
        object_id=f"{alert.pk}:{routing_row.step}",
        client_id=alert.client_id,
    )
    alert_page_step(alert_id=alert.pk)
    return True


def safety_sweep() -> dict[str, int]:
    """Finish whatever a lost job left: route alerts never routed, send unsent pages, and
    escalate every open alert past its deadline. Safe to run as often as you like."""
    counts = {"routed": 0, "delivered": 0, "escalated": 0}
    open_alerts = Alert.objects.filter(state=AlertState.OPEN)
    for alert_id in open_alerts.filter(routing__routed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        alert_page_step(alert_id=alert_id)
        counts["routed"] += 1
    due = open_alerts.filter(
        routing__deadline_at__lte=timezone.now(), routing__step__lt=AlertStep.DIRECTOR
    ).values_list("pk", "routing__step")
    for alert_id, step in due:
        counts["escalated"] += alert_escalate(alert_id=alert_id, from_step=step)
    unsent = AlertPage.objects.filter(sent_at__isnull=True, alert__state=AlertState.OPEN)
    for page_id in unsent.values_list("pk", flat=True):
        counts["delivered"] += alert_page_deliver(page_id=page_id)
    return counts


def route_new_alert(alert: Alert) -> None:
    """The `alert_raise` hook: the routing row and the job that pages the first step, in the
    raising transaction."""
    from openiop.safety import tasks

    AlertRouting.objects.create(alert=alert)
    enqueue(tasks.route_alert, alert_id=alert.pk)
