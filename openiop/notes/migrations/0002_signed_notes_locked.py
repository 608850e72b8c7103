"""The database itself refuses to change what was signed.

A signed progress note's content, a signed group note's summary and every addendum are
locked: an UPDATE that changes them raises an integrity error on both backends
(SQLite: RAISE(ABORT); PostgreSQL: SQLSTATE 23001 restrict_violation). The columns that may
still move after signing are the co-sign (status, cosigner, cosigned_at) and the settled
billing codes (code, day_code and the reason and time of the change).

DELETE is left to the services (none deletes a note, and every foreign key to a note
protects it): a test database's flush empties the tables with DELETE on SQLite.
"""

from django.db import migrations

# Columns of notes_progressnote frozen once signed_at is set.
NOTE_LOCKED = [
    "client_id",
    "session_id",
    "group_note_id",
    "kind",
    "template",
    "sections",
    "client_attended",
    "attendance_status",
    "duration_minutes",
    "facts",
    "service_date",
    "author_id",
    "created_at",
    "signed_by_id",
    "signed_at",
    "suggested_code",
    "code_note",
    "suggested_day_code",
]
GROUP_LOCKED = ["session_id", "author_id", "summary", "signed_at", "created_at"]


def _pg_changed(columns):
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


def _sqlite_changed(columns):
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


PG_UP = f"""
CREATE OR REPLACE FUNCTION notes_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is signed and locked: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_note_locked BEFORE UPDATE ON notes_progressnote FOR EACH ROW
    WHEN (OLD.signed_at IS NOT NULL AND ({_pg_changed(NOTE_LOCKED)}))
    EXECUTE FUNCTION notes_refuse();
CREATE TRIGGER notes_group_locked BEFORE UPDATE ON notes_groupnote FOR EACH ROW
    WHEN (OLD.signed_at IS NOT NULL AND ({_pg_changed(GROUP_LOCKED)}))
    EXECUTE FUNCTION notes_refuse();
CREATE TRIGGER notes_addendum_append_only BEFORE UPDATE ON notes_addendum
    FOR EACH ROW EXECUTE FUNCTION notes_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS notes_note_locked ON notes_progressnote;
DROP TRIGGER IF EXISTS notes_group_locked ON notes_groupnote;
DROP TRIGGER IF EXISTS notes_addendum_append_only ON notes_addendum;
DROP FUNCTION IF EXISTS notes_refuse();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER notes_note_locked BEFORE UPDATE ON notes_progressnote
        WHEN OLD.signed_at IS NOT NULL AND ({_sqlite_changed(NOTE_LOCKED)})
        BEGIN SELECT RAISE(ABORT, 'notes_progressnote is signed and locked: UPDATE refused'); END;""",
    f"""CREATE TRIGGER notes_group_locked BEFORE UPDATE ON notes_groupnote
        WHEN OLD.signed_at IS NOT NULL AND ({_sqlite_changed(GROUP_LOCKED)})
        BEGIN SELECT RAISE(ABORT, 'notes_groupnote is signed and locked: UPDATE refused'); END;""",
    """CREATE TRIGGER notes_addendum_no_update BEFORE UPDATE ON notes_addendum
        BEGIN SELECT RAISE(ABORT, 'notes_addendum is append-only: UPDATE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS notes_note_locked;",
    "DROP TRIGGER IF EXISTS notes_group_locked;",
    "DROP TRIGGER IF EXISTS notes_addendum_no_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        if isinstance(statements, str):
            statements = [statements]
        for statement in statements:
            # params=None: the PL/pgSQL body uses `%` placeholders of its own.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_progress_group_psychotherapy_notes")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
