"""Make the audit trail and the access log append-only in the database itself (PostgreSQL).

A trigger refuses every UPDATE and DELETE, whoever runs it, so that neither a bug nor a person
with database access can rewrite who read or changed a person's data. SQLite (the embedded
default) has no such guarantee; the application only ever inserts. See ADR 0003.
"""

from django.db import migrations

TABLES = ("casework_auditevent", "casework_accesslogentry")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION medvirk_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION medvirk_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS medvirk_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
