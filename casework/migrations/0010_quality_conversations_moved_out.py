"""The quality conversations move into an app of their own (issue 11): their models leave
casework's state here and enter quality_conversations' in its 0001. Django's state only: the
tables ``casework_qualityconversation`` and ``casework_followup`` and their rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0009_outbox_in_the_kernel'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='qualityconversation',
            name='representative',
        ),
        migrations.RemoveField(
            model_name='qualityconversation',
            name='service_user',
        ),
        migrations.RemoveField(
            model_name='qualityconversation',
            name='unit',
        ),
        migrations.DeleteModel(
            name='FollowUp',
        ),
        migrations.DeleteModel(
            name='QualityConversation',
        ),
                ],
        ),
    ]
