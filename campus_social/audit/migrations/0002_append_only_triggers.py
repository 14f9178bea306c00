"""Make the database itself refuse changes to audit events.

UPDATE is refused on every backend.  DELETE is refused on PostgreSQL; TRUNCATE stays possible
there, for an operator's retention job (and for test isolation).  SQLite has no TRUNCATE and
empties tables with DELETE, so there the model and queryset refuse deletion instead.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_event_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
