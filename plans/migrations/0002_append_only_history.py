"""Plan versions and transition history are append-only in the database (PostgreSQL).

Reuses the trigger function of casework/0002: an approved version is a record of what was
agreed, and must not be rewritten. See ADR 0003.
"""

from django.db import migrations

TABLES = ("plans_planversion", "plans_plantransition")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
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


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("casework", "0002_append_only_logs")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
