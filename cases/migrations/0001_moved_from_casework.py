"""The case workflow's models, moved from casework (issue 11). Django's state only: the tables keep
their names (``db_table``) and rows. Their content types follow them, and the engine's history
rows, keyed by the model's label, are relabelled (the table is append-only on PostgreSQL: its
trigger is suspended for that one statement)."""

import casework.models.workflow
import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


OLD, NEW = "casework", "cases"
MODELS = ("case", "homevisit", "decision")
LABELLED = ("case", "homevisit")  # the workflows whose history rows name them
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
    rows = apps.get_model("casework", "WorkflowTransition").objects
    for model in LABELLED:
        rows.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")
    if postgres:
        schema_editor.execute(f"ALTER TABLE {HISTORY} ENABLE TRIGGER {HISTORY}_append_only;")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('casework', '0011_cases_moved_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service_applied_for', models.CharField(max_length=200, verbose_name='service applied for')),
                ('received_on', models.DateField(verbose_name='received on')),
                ('reply_due_on', models.DateField(verbose_name='provisional reply due')),
                ('state', django_fsm.FSMField(choices=[('received', 'Received'), ('under_assessment', 'Under assessment'), ('decided', 'Decided'), ('appealed', 'Appealed'), ('closed', 'Closed')], db_index=True, default='received', max_length=50, protected=True, verbose_name='state')),
                ('state_changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='state changed at')),
                ('no_visit_reason', models.CharField(blank=True, max_length=500, verbose_name='why no home visit was made')),
                ('provisional_reply_sent_on', models.DateField(blank=True, null=True, verbose_name='provisional reply sent on')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('service_user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='casework.serviceuser', verbose_name='service user')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='casework.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'case',
                'verbose_name_plural': 'cases',
                'db_table': 'casework_case',
                'ordering': ['received_on', 'id'],
            },
            bases=(casework.models.workflow.WorkflowStateMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Decision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('granted', 'Granted'), ('partly_granted', 'Partly granted'), ('refused', 'Refused')], max_length=20, verbose_name='outcome')),
                ('services', models.TextField(blank=True, verbose_name='services granted')),
                ('reasons', models.TextField(verbose_name='reasons')),
                ('complaint_information', models.TextField(verbose_name='how to complain')),
                ('complaint_deadline', models.DateField(verbose_name='complaint deadline')),
                ('decided_at', models.DateTimeField(auto_now_add=True, verbose_name='decided at')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='cases.case', verbose_name='case')),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'decision',
                'verbose_name_plural': 'decisions',
                'db_table': 'casework_decision',
            },
        ),
        migrations.CreateModel(
            name='HomeVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', django_fsm.FSMField(choices=[('planned', 'Planned'), ('scheduled', 'Scheduled'), ('completed', 'Completed'), ('not_completed', 'Not completed')], db_index=True, default='planned', max_length=50, protected=True, verbose_name='state')),
                ('state_changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='state changed at')),
                ('scheduled_for', models.DateTimeField(blank=True, null=True, verbose_name='scheduled for')),
                ('findings', models.TextField(blank=True, verbose_name='findings')),
                ('wishes', models.TextField(blank=True, verbose_name="the person's own wishes, in their words")),
                ('miss_reason', models.CharField(blank=True, choices=[('declined', 'The person declined'), ('not_at_home', 'Not at home'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='why it was not made')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='home_visits', to='cases.case', verbose_name='case')),
                ('representatives_present', models.ManyToManyField(blank=True, related_name='home_visits', to='casework.representative', verbose_name='representatives present')),
                ('staff_present', models.ManyToManyField(blank=True, related_name='home_visits', to=settings.AUTH_USER_MODEL, verbose_name='staff present')),
            ],
            options={
                'verbose_name': 'home visit',
                'verbose_name_plural': 'home visits',
                'db_table': 'casework_homevisit',
                'ordering': ['created_at', 'id'],
            },
            bases=(casework.models.workflow.WorkflowStateMixin, django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['unit', 'state', 'received_on'], name='case_unit_state_idx'),
        ),
                ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
