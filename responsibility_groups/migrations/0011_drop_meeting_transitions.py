"""The meetings' own history table is gone: 0010 moved its rows into casework.WorkflowTransition."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("responsibility_groups", "0010_history_in_the_engines_table")]

    operations = [migrations.DeleteModel(name="MeetingTransition")]
