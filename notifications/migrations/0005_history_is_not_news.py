"""Outbox events written before delivery existed are history: mark them dispatched, send nothing."""

from django.db import migrations
from django.utils import timezone


def mark_dispatched(apps, schema_editor):
    OutboxEvent = apps.get_model("notifications", "OutboxEvent")
    OutboxEvent.objects.filter(dispatched_at__isnull=True).update(dispatched_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_expiry_and_cancelled")]

    operations = [migrations.RunPython(mark_dispatched, migrations.RunPython.noop)]
