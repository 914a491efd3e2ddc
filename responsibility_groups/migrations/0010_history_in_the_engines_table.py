"""The meetings' transition history moves into the one history table of every workflow
(casework.WorkflowTransition, ADR 0015), keeping who, when, from, to and comment of each row.
0011 then drops the meetings' own table. Backwards, the rows are copied back and taken out of the
shared table again (its append-only trigger is suspended for that, on PostgreSQL)."""

from django.db import migrations

OBJECT_TYPE = "responsibility_groups.meeting"
SHARED = "casework_workflowtransition"
FIELDS = ("name", "source", "target", "actor_id", "occurred_at", "comment")


def forwards(apps, schema_editor):
    old = apps.get_model("responsibility_groups", "MeetingTransition")
    shared = apps.get_model("casework", "WorkflowTransition")
    rows = (
        shared(object_type=OBJECT_TYPE, object_id=str(row.meeting_id), **{f: getattr(row, f) for f in FIELDS})
        for row in old.objects.order_by("occurred_at", "id").iterator(chunk_size=2000)
    )
    _bulk(shared, rows)


def backwards(apps, schema_editor):
    old = apps.get_model("responsibility_groups", "MeetingTransition")
    shared = apps.get_model("casework", "WorkflowTransition")
    copies = shared.objects.filter(object_type=OBJECT_TYPE).order_by("occurred_at", "id")
    old._meta.get_field("occurred_at").auto_now_add = False  # keep each row's own time
    _bulk(old, (old(meeting_id=int(row.object_id), **{f: getattr(row, f) for f in FIELDS}) for row in copies))
    with _trigger_suspended(schema_editor):
        copies.delete()


def _bulk(model, rows, size=2000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


class _trigger_suspended:
    def __init__(self, schema_editor):
        self.editor = schema_editor
        self.postgres = schema_editor.connection.vendor == "postgresql"

    def __enter__(self):
        if self.postgres:
            self.editor.execute(f"ALTER TABLE {SHARED} DISABLE TRIGGER {SHARED}_append_only;")

    def __exit__(self, *exc):
        if self.postgres:
            self.editor.execute(f"ALTER TABLE {SHARED} ENABLE TRIGGER {SHARED}_append_only;")


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility_groups", "0009_access_reasons_in_the_ledger"),
        ("casework", "0008_workflow_history_keeps_its_times"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
