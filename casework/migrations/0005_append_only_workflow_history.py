"""The casework workflows' history is append-only too (PostgreSQL), like plans' and meetings'."""

from django.db import migrations

TABLE = "casework_workflowtransition"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION medvirk_refuse_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_follow_up_plan_measure")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
