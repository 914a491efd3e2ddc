"""The pre-decision case workflow moves into the app ``cases`` (issue 11): its models leave
casework's state here and enter cases' in its 0001. Django's state only: the tables
(``casework_case``, ``casework_homevisit`` and its two link tables, ``casework_decision``) and their
rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0010_quality_conversations_moved_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='decision',
            name='case',
        ),
        migrations.RemoveField(
            model_name='homevisit',
            name='case',
        ),
        migrations.RemoveField(
            model_name='decision',
            name='decided_by',
        ),
        migrations.RemoveField(
            model_name='homevisit',
            name='representatives_present',
        ),
        migrations.RemoveField(
            model_name='homevisit',
            name='staff_present',
        ),
        migrations.DeleteModel(
            name='Case',
        ),
        migrations.DeleteModel(
            name='Decision',
        ),
        migrations.DeleteModel(
            name='HomeVisit',
        ),
                ],
        ),
    ]
