"""The audit event: written for every PHI read and clinical write, in the same transaction,
chained to the one before, and refused by the database when anyone tries to change it."""

from collections.abc import Callable

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit import context
from openiop.audit.models import GENESIS_HASH, Action, AuditEvent
from openiop.audit.services import audit_record, iter_chain_breaks
from openiop.conftest import World
from openiop.programs.models import CareTeamMember
from openiop.programs.services import care_team_add

BROWSER = "Mozilla/5.0 (Linux; Android 14) OpenIOP-test"
# Alex's name, date of birth (ISO and US spelling) and zone. Not the bare year: on PostgreSQL
# ids keep growing across tests, and an id may well contain "1990".
PHI_VALUES = ("Alex", "Testperson", "1990-01-02", "01/02/1990", "Chicago")


def _events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _assert_no_phi(event: AuditEvent) -> None:
    stored = " ".join(
        str(value)
        for value in (
            event.actor_role,
            event.object_type,
            event.object_id,
            event.user_agent,
            event.reason,
        )
    )
    for value in PHI_VALUES:
        assert value not in stored


def test_page_read_writes_one_client_read_event_with_who_where_and_how(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.casey)
    before = _last_seq()

    response = client.get(
        f"/clients/{world.alex.pk}/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 200
    events = _events_after(before)
    # The record page shows panels from later apps (alerts, plan, notes...): each reads and
    # records its own part, all in the same request, all from the same person and place.
    assert {(e.action, e.actor_id, e.ip, e.user_agent) for e in events} == {
        (Action.READ, world.casey.pk, "203.0.113.7", BROWSER)
    }
    [event] = [e for e in events if e.object_type == "client"]
    assert event.action == Action.READ
    assert event.actor == world.casey
    assert event.actor_role == "clinician"
    assert event.client_id == world.alex.pk
    assert (event.object_type, event.object_id) == ("client", str(world.alex.pk))
    assert event.ip == "203.0.113.7"
    assert event.user_agent == BROWSER
    assert event.reason == ""  # on the care team: no break-the-glass reason
    assert event.at is not None
    _assert_no_phi(event)


def test_api_read_writes_a_read_event_too(world: World, client: HttpClient) -> None:
    raw, _ = api_token_issue(user=world.casey)
    before = _last_seq()

    response = client.get(
        f"/api/v1/clients/{world.alex.pk}",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_USER_AGENT="integration-script/1.0",
    )

    assert response.status_code == 200
    [event] = _events_after(before)
    assert (event.action, event.actor, event.client_id) == (
        Action.READ,
        world.casey,
        world.alex.pk,
    )
    assert (event.ip, event.user_agent) == ("127.0.0.1", "integration-script/1.0")


def test_care_team_add_writes_a_create_event(world: World) -> None:
    before = _last_seq()

    member = care_team_add(client=world.alex, user=world.quinn, role="clinician", actor=world.dale)

    [event] = _events_after(before)
    assert event.action == Action.CREATE
    assert (event.actor, event.actor_role) == (world.dale, "director")
    assert event.client_id == world.alex.pk
    assert (event.object_type, event.object_id) == ("care_team_member", str(member.pk))
    # A service called outside any request (a worker, a command) records no IP or browser.
    assert (event.ip, event.user_agent) == (None, "")
    _assert_no_phi(event)


def test_changing_a_seat_writes_an_update_event(world: World) -> None:
    before = _last_seq()

    member = care_team_add(client=world.alex, user=world.casey, role="prescriber", actor=world.dale)

    [event] = _events_after(before)
    assert (event.action, event.object_type) == (Action.UPDATE, "care_team_member")
    assert (event.object_id, event.client_id) == (str(member.pk), world.alex.pk)


def test_event_rolls_back_with_the_transaction_it_records(world: World) -> None:
    before = _last_seq()

    with pytest.raises(RuntimeError, match="after the audit"), transaction.atomic():
        care_team_add(client=world.alex, user=world.quinn, role="clinician", actor=world.dale)
        assert len(_events_after(before)) == 1  # written, not yet committed
        raise RuntimeError("failure after the audit event")

    assert _events_after(before) == []
    assert not CareTeamMember.objects.filter(client=world.alex, user=world.quinn).exists()


def test_event_rolls_back_when_audit_record_itself_is_followed_by_an_error(world: World) -> None:
    before = _last_seq()

    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=world.casey, action=Action.READ, object_type="client", client_id=1)
        raise ValueError("boom")

    assert _events_after(before) == []
    assert list(iter_chain_breaks()) == []  # the next event reuses the seq: no gap


def test_audit_record_refuses_to_run_outside_a_transaction(world: World) -> None:
    before = _last_seq()
    # pytest-django wraps each test in a transaction; pretend, briefly, this is autocommit.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", False)
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record(actor=world.casey, action=Action.READ, object_type="client")

    assert _events_after(before) == []


def test_unknown_action_is_refused(world: World) -> None:
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=world.casey, action="peek", object_type="client")


def test_each_event_carries_the_previous_events_hash(world: World) -> None:
    first, second, third = AuditEvent.objects.order_by("seq")[:3]

    assert first.seq == 1
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert all(e.hash == e.compute_hash() for e in (first, second, third))
    assert list(iter_chain_breaks()) == []


def test_ipv6_address_is_hashed_as_the_database_returns_it(world: World) -> None:
    token = context.set_current(
        context.RequestContext(ip="2001:0DB8:0000::0001", user_agent="ua\x00with-nul")
    )
    try:
        with transaction.atomic():
            event = audit_record(actor=world.casey, action=Action.READ, object_type="client")
    finally:
        context.reset(token)

    event.refresh_from_db()
    assert (event.ip, event.user_agent) == ("2001:db8::1", "uawith-nul")
    assert event.compute_hash() == event.hash
    assert list(iter_chain_breaks()) == []


def test_unparseable_remote_address_is_recorded_as_none(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.casey)
    before = _last_seq()

    response = client.get(f"/clients/{world.alex.pk}/", REMOTE_ADDR="not-an-ip")

    assert response.status_code == 200
    events = _events_after(before)
    assert events
    assert all(event.ip is None for event in events)


@pytest.mark.parametrize("change", ["orm_update", "orm_delete", "instance_delete", "sql_update"])
def test_database_refuses_to_change_or_remove_an_event(world: World, change: str) -> None:
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    count = AuditEvent.objects.count()

    # IntegrityError on both backends: SQLite RAISE(ABORT), PostgreSQL SQLSTATE 23001.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        if change == "orm_update":
            AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
        elif change == "orm_delete":
            AuditEvent.objects.filter(pk=event.pk).delete()
        elif change == "instance_delete":
            event.delete()
        else:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE audit_auditevent SET actor_role = 'admin'")

    event.refresh_from_db()
    assert event.reason == "" and event.actor_role == ""
    assert AuditEvent.objects.count() == count
    assert list(iter_chain_breaks()) == []
