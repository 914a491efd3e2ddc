"""The quality conversations' models, moved from casework (issue 11). Django's state only: the
tables keep their names (``db_table``) and rows. Their content types follow them, and the engine's
history rows, keyed by the model's label, are relabelled (the table is append-only on PostgreSQL:
its trigger is suspended for that one statement)."""

import casework.models.workflow
import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


OLD, NEW = "casework", "quality_conversations"
MODELS = ("qualityconversation", "followup")
HISTORY = "casework_workflowtransition"


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, NEW, OLD)


def _relabel(apps, schema_editor, old, new):
    types = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not types.objects.filter(app_label=new, model=model).exists():
            types.objects.filter(app_label=old, model=model).update(app_label=new)
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE {HISTORY} DISABLE TRIGGER {HISTORY}_append_only;")
    apps.get_model("casework", "WorkflowTransition").objects.filter(
        object_type=f"{old}.qualityconversation"
    ).update(object_type=f"{new}.qualityconversation")
    if postgres:
        schema_editor.execute(f"ALTER TABLE {HISTORY} ENABLE TRIGGER {HISTORY}_append_only;")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('casework', '0010_quality_conversations_moved_out'),
        ('plans', '0007_drop_plan_transitions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='QualityConversation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('state', django_fsm.FSMField(choices=[('due', 'Due'), ('offered', 'Offered'), ('accepted', 'Accepted'), ('scheduled', 'Scheduled'), ('held', 'Held'), ('documented', 'Documented'), ('declined', 'Declined'), ('not_applicable', 'Not applicable'), ('expired', 'Expired')], db_index=True, default='due', max_length=50, protected=True, verbose_name='state')),
                ('state_changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='state changed at')),
                ('offered_at', models.DateTimeField(blank=True, null=True, verbose_name='offered at')),
                ('scheduled_for', models.DateTimeField(blank=True, null=True, verbose_name='scheduled for')),
                ('held_on', models.DateField(blank=True, null=True, verbose_name='held on')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('not_applicable_reason', models.CharField(blank=True, max_length=300, verbose_name='why not applicable')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('representative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='quality_conversations', to='casework.representative', verbose_name='representative')),
                ('service_user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='quality_conversations', to='casework.serviceuser', verbose_name='service user')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='quality_conversations', to='casework.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'quality conversation',
                'verbose_name_plural': 'quality conversations',
                'db_table': 'casework_qualityconversation',
                'ordering': ['year', 'id'],
            },
            bases=(casework.models.workflow.WorkflowStateMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='follow-up')),
                ('deadline', models.DateField(blank=True, null=True, verbose_name='deadline')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan_measure', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='plans.measure', verbose_name='plan measure')),
                ('conversation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='quality_conversations.qualityconversation')),
            ],
            options={
                'verbose_name': 'follow-up',
                'verbose_name_plural': 'follow-ups',
                'db_table': 'casework_followup',
                'ordering': ['id'],
            },
        ),
        migrations.AddIndex(
            model_name='qualityconversation',
            index=models.Index(fields=['unit', 'year', 'state'], name='conversation_unit_year_idx'),
        ),
        migrations.AddConstraint(
            model_name='qualityconversation',
            constraint=models.UniqueConstraint(fields=('service_user', 'representative', 'year'), name='conversation_once_a_year_per_representative'),
        ),
        migrations.AddConstraint(
            model_name='qualityconversation',
            constraint=models.UniqueConstraint(condition=models.Q(('representative__isnull', True)), fields=('service_user', 'year'), name='conversation_once_a_year_without_representative'),
        ),
                ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
