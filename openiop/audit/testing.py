"""Test helper for the append-only audit table. Never imported by the running app.

The triggers from migration 0002 refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE, which is
the point; a test that forges tampering has to get past them first.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

_triggers = importlib.import_module("openiop.audit.migrations.0002_append_only_triggers")
_PG_TRIGGERS = ("audit_event_no_update",)  # UPDATE and DELETE; TRUNCATE stays refused
_SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")


@contextmanager
def append_only_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the audit table's triggers for the block, then put them back.

    Inside a test's transaction the DDL rolls back with everything else, so even a failing
    test leaves the triggers in place.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks of rows inserted earlier in
            # the transaction are pending; run them now (and defer again), as TestCase does.
            connection.check_constraints()
            for name in _PG_TRIGGERS:
                cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {name}")
        elif connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                connection.check_constraints()
                for name in _PG_TRIGGERS:
                    cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {name}")
            elif connection.vendor == "sqlite":
                for statement in _triggers.SQLITE_UP:
                    cursor.execute(statement)


def list_read_audit_queries(using: str = DEFAULT_DB_ALIAS) -> int:
    """Queries a list page spends recording its reads (`audit_record_many`), whatever the
    number of rows: SAVEPOINT, the chain's last event, one INSERT of every event, RELEASE;
    PostgreSQL adds the advisory lock that serialises appends to the chain."""
    return 5 if connections[using].vendor == "postgresql" else 4
