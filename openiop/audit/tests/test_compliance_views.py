"""The compliance pages: search the audit trail, export it as CSV (accounting of disclosures).

Only the compliance officer may use them; every other persona gets a 404. Each search and
export is itself an audit event; bad input is a 400 that writes nothing.
"""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client as HttpClient

from openiop.accounts.models import Role, User
from openiop.audit.models import Action, AuditEvent
from openiop.audit.services import audit_record
from openiop.audit.views import AUDITOR_ROLE, CSV_COLUMNS
from openiop.conftest import World

SEARCH = "/compliance/audit/"
EXPORT = "/compliance/audit/export.csv"
NOT_COMPLIANCE = [
    "casey",
    "fran",
    "quinn",
    "gale",
    "dale",
    "birch_director",
    "birch_clinician",
    "ada",
    "alex",
    "fay",
]


def _persona(world: World, name: str) -> User:
    value = getattr(world, name)
    return value.user if name == "alex" else value


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _record(**kwargs: object) -> AuditEvent:
    with transaction.atomic():
        return audit_record(**kwargs)  # type: ignore[arg-type]


def _read_at(when: datetime, *, actor: User, client_id: int) -> AuditEvent:
    with time_machine.travel(when, tick=False):
        return _record(actor=actor, action=Action.READ, object_type="client", client_id=client_id)


def _csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def cora(world: World, login_as: Callable[[User], HttpClient]) -> HttpClient:
    return login_as(world.cora)


def test_auditor_role_is_the_compliance_role() -> None:
    # audit/ may not import accounts/, so it spells the role out; keep the two equal.
    assert AUDITOR_ROLE == Role.COMPLIANCE


def test_search_by_client_lists_only_that_clients_events(world: World, cora: HttpClient) -> None:
    response = cora.get(SEARCH, {"client": world.alex.pk})

    assert response.status_code == 200
    events = response.context["events"]
    expected = AuditEvent.objects.filter(client_id=world.alex.pk).exclude(action=Action.SEARCH)
    assert [e.seq for e in events] == sorted((e.seq for e in expected), reverse=True)
    assert {e.client_id for e in events} == {world.alex.pk}


def test_search_by_actor_email_ignores_case(
    world: World, login_as: Callable[[User], HttpClient], cora: HttpClient
) -> None:
    _record(actor=world.casey, action=Action.READ, object_type="client", client_id=world.alex.pk)
    _record(actor=world.dale, action=Action.READ, object_type="client", client_id=world.alex.pk)

    response = cora.get(SEARCH, {"actor": "CASEY@Example.test"})

    assert response.status_code == 200
    events = response.context["events"]
    assert len(events) == 1
    assert events[0].actor == world.casey
    assert "casey@example.test" in response.content.decode()


def test_search_by_date_range_uses_utc_days(world: World, cora: HttpClient) -> None:
    alex = world.alex.pk
    before_day = _read_at(
        datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC), actor=world.casey, client_id=alex
    )
    first_moment = _read_at(
        datetime(2026, 3, 1, 0, 0, tzinfo=UTC), actor=world.casey, client_id=alex
    )
    last_moment = _read_at(
        datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC), actor=world.casey, client_id=alex
    )
    # 03:30 UTC on 2 March is still the evening of 1 March in Chicago, Alex's zone: a UTC
    # search does not count it as 1 March.
    next_day = _read_at(datetime(2026, 3, 2, 3, 30, tzinfo=UTC), actor=world.casey, client_id=alex)

    response = cora.get(SEARCH, {"date_from": "2026-03-01", "date_to": "2026-03-01"})

    assert response.status_code == 200
    seqs = [e.seq for e in response.context["events"]]
    assert seqs == [last_moment.seq, first_moment.seq]
    assert before_day.seq not in seqs and next_day.seq not in seqs
    assert "2026-03-01 23:59:59" in response.content.decode()  # shown in UTC too


def test_search_filters_combine(world: World, cora: HttpClient) -> None:
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    wanted = _read_at(when, actor=world.casey, client_id=world.alex.pk)
    _read_at(when, actor=world.casey, client_id=world.blair.pk)
    _read_at(when, actor=world.dale, client_id=world.alex.pk)

    response = cora.get(
        SEARCH,
        {
            "client": str(world.alex.pk),
            "actor": "casey@example.test",
            "date_from": "2026-03-01",
            "date_to": "2026-03-01",
        },
    )

    assert [e.seq for e in response.context["events"]] == [wanted.seq]


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "The start date is after the end date.",
        ),
        ({"client": "abc"}, "Enter a whole number."),
        ({"client": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"client": str(2**64)}, "Ensure this value is less than or equal to"),
        ({"date_from": "2026-02-30"}, "Enter a valid date."),
        ({"actor": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(
    world: World, cora: HttpClient, url: str, query: dict[str, str], message: str
) -> None:
    before = _last_seq()

    response = cora.get(url, query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert _last_seq() == before


def test_open_ended_dates_do_not_overflow(world: World, cora: HttpClient) -> None:
    response = cora.get(SEARCH, {"date_from": "0001-01-01", "date_to": "9999-12-31"})

    assert response.status_code == 200
    assert len(response.context["events"]) > 0


def test_first_visit_shows_the_form_and_writes_nothing(world: World, cora: HttpClient) -> None:
    before = _last_seq()

    response = cora.get(SEARCH)

    assert response.status_code == 200
    assert 'name="client"' in response.content.decode()
    assert _last_seq() == before


def test_search_is_itself_audited(world: World, cora: HttpClient) -> None:
    before = _last_seq()

    cora.get(
        SEARCH,
        {"client": str(world.alex.pk), "date_from": "2026-03-01"},
        HTTP_USER_AGENT="compliance-desk",
    )

    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.actor, event.actor_role) == (
        Action.SEARCH,
        world.cora,
        "compliance",
    )
    assert (event.object_type, event.client_id) == ("audit_event", world.alex.pk)
    assert event.reason == f"client={world.alex.pk}; date_from=2026-03-01"
    assert (event.ip, event.user_agent) == ("127.0.0.1", "compliance-desk")


def test_export_is_itself_audited(world: World, cora: HttpClient) -> None:
    before = _last_seq()

    response = cora.get(EXPORT, {"actor": "casey@example.test"})
    _csv(response)

    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.actor) == (Action.EXPORT, world.cora)
    assert event.client_id is None
    assert event.reason == "actor=casey@example.test"


def test_csv_export_has_the_header_and_every_matching_event_without_phi(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    # Alex's own visit and Casey's: a read of the record by the client and by the clinician.
    login_as(world.alex.user).get("/me/")
    login_as(world.casey).get(f"/clients/{world.alex.pk}/", HTTP_USER_AGENT="Firefox")
    expected = list(AuditEvent.objects.filter(client_id=world.alex.pk).order_by("-seq"))
    cora = login_as(world.cora)

    response = cora.get(EXPORT, {"client": world.alex.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit-events.csv"'
    header, *rows = _csv(response)
    assert header == CSV_COLUMNS
    assert [int(row[0]) for row in rows] == [e.seq for e in expected]
    casey_read = next(row for row in rows if row[9] == "Firefox" and row[6] == "client")
    assert dict(zip(header, casey_read, strict=True)) | {"seq": "", "at": ""} == {
        "seq": "",
        "at": "",
        "actor_email": "casey@example.test",
        "actor_role": "clinician",
        "client_id": str(world.alex.pk),
        "action": "read",
        "object_type": "client",
        "object_id": str(world.alex.pk),
        "ip": "127.0.0.1",
        "user_agent": "Firefox",
        "reason": "",
    }
    assert casey_read[1].endswith("+00:00")
    body = "\n".join(",".join(row) for row in rows)
    # Who looked is the point of an accounting (so a client's own login email appears on
    # their own reads); what they looked at never does: no names, no date of birth.
    # (Not the bare year "1990": on PostgreSQL ids grow across tests and may contain it.)
    for phi in ("Alex", "Testperson", "1990-01-02", "01/02/1990", "Jan. 2", "Chicago"):
        assert phi not in body


def test_export_without_filters_holds_the_whole_trail_before_the_export(
    world: World, cora: HttpClient
) -> None:
    everything = list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))

    header, *rows = _csv(cora.get(EXPORT))

    assert header == CSV_COLUMNS
    assert [int(row[0]) for row in rows] == everything


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    login_as(world.casey).get(
        f"/clients/{world.alex.pk}/", HTTP_USER_AGENT='=HYPERLINK("http://evil.test","x")'
    )
    cora = login_as(world.cora)

    _, *rows = _csv(cora.get(EXPORT, {"actor": "casey@example.test"}))

    assert rows[0][9] == '\'=HYPERLINK("http://evil.test","x")'


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
@pytest.mark.parametrize("name", NOT_COMPLIANCE)
def test_everyone_but_compliance_gets_404(
    world: World, login_as: Callable[[User], HttpClient], url: str, name: str
) -> None:
    client = login_as(_persona(world, name))
    before = _last_seq()

    response = client.get(url, {"client": world.alex.pk})

    assert response.status_code == 404
    assert _last_seq() == before


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
def test_anonymous_visitor_is_sent_to_sign_in(world: World, client: HttpClient, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("rows", [5, 50])
def test_search_page_query_count_does_not_grow_with_rows(
    world: World, cora: HttpClient, django_assert_num_queries: Callable, rows: int
) -> None:
    client_id = 987_654  # a client id with no events of its own yet
    for _ in range(rows):
        _record(actor=world.casey, action=Action.READ, object_type="client", client_id=client_id)
    # Request: 1 session row, 2 the signed-in user, 3 the user's TOTP device (django-otp).
    # View: 4 SAVEPOINT, 5 the events with their actors (one JOIN, LIMIT 200), 6 the chain's
    # last event, 7 INSERT of the search's own event, 8 RELEASE SAVEPOINT. Response: the
    # idle-timeout stamp saves the session: 9 SAVEPOINT, 10 UPDATE, 11 RELEASE SAVEPOINT.
    # PostgreSQL adds one before 6: the advisory lock that serialises appends to the chain.
    expected = 12 if connection.vendor == "postgresql" else 11

    with django_assert_num_queries(expected):
        response = cora.get(SEARCH, {"client": client_id})

    assert response.status_code == 200
    assert len(response.context["events"]) == rows
