"""Outbox events written before delivery existed are history: mark them dispatched, send nothing.

Only events older than the moment migration 0002 (delivery) was applied: an installation that has
delivered for a while keeps its undispatched backlog, which the sweeper sends.
"""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def mark_dispatched(apps, schema_editor):
    OutboxEvent = apps.get_model("notifications", "OutboxEvent")
    recorder = MigrationRecorder(schema_editor.connection)
    delivery_since = (
        recorder.migration_qs.filter(app="notifications", name="0002_deliveries").values_list("applied", flat=True).first()
    )
    if delivery_since is None:
        return
    OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lt=delivery_since).update(
        dispatched_at=delivery_since
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_expiry_and_cancelled")]

    operations = [migrations.RunPython(mark_dispatched, migrations.RunPython.noop)]
