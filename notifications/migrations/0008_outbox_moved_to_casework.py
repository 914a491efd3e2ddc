"""The outbox's model now belongs to casework (casework 0009): the notification's link to it and
the model's removal here change Django's state only; the table and its foreign key stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0009_outbox_in_the_kernel'),
        ('notifications', '0007_outbox_object_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to='casework.outboxevent'),
        ),
        migrations.DeleteModel(
            name='OutboxEvent',
        ),
                ],
        ),
    ]
