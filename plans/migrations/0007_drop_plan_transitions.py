"""The plans' own history table is gone: 0006 moved its rows into casework.WorkflowTransition."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_history_in_the_engines_table")]

    operations = [migrations.DeleteModel(name="PlanTransition")]
