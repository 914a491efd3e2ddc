"""The outbox moves from notifications into the kernel (issue 11): the model only, in Django's
state; the table ``notifications_outboxevent`` and its rows stay where they are. Its content type
follows, so that permissions and admin history keep pointing at it."""

from django.db import migrations, models


def content_type_to_casework(apps, schema_editor):
    _move_content_type(apps, "notifications", "casework")


def content_type_to_notifications(apps, schema_editor):
    _move_content_type(apps, "casework", "notifications")


def _move_content_type(apps, old, new):
    types = apps.get_model("contenttypes", "ContentType")
    if not types.objects.filter(app_label=new, model="outboxevent").exists():
        types.objects.filter(app_label=old, model="outboxevent").update(app_label=new)


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0008_workflow_history_keeps_its_times'),
        ('notifications', '0007_outbox_object_index'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(db_index=True, max_length=60, verbose_name='event')),
                ('object_type', models.CharField(max_length=60, verbose_name='object type')),
                ('object_id', models.CharField(max_length=40, verbose_name='object id')),
                ('payload', models.JSONField(default=dict, verbose_name='payload')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('dispatched_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='dispatched at')),
            ],
            options={
                'verbose_name': 'outbox event',
                'verbose_name_plural': 'outbox events',
                'db_table': 'notifications_outboxevent',
                'ordering': ['id'],
                'indexes': [models.Index(fields=['object_type', 'object_id', 'created_at'], name='outbox_object_idx')],
            },
        ),
                ],
        ),
        migrations.RunPython(content_type_to_casework, content_type_to_notifications),
    ]
