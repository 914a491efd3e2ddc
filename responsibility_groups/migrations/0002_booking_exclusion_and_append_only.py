"""PostgreSQL guarantees for meetings.

- No double booking: an exclusion constraint refuses two active bookings of the same login whose
  time ranges overlap, even when two requests book at the same moment. ``btree_gist`` lets the
  GiST index compare the user id with ``=`` (a trusted extension since PostgreSQL 13, so the
  database owner may create it).
- Approved minutes and the meeting history are append-only (the trigger function of casework/0002).

SQLite (the embedded default) has neither; the booking service checks overlaps itself there,
and SQLite runs one writer at a time, so the check cannot race.
"""

from django.db import migrations

BOOKINGS = "responsibility_groups_meetingbooking"
APPEND_ONLY = ("responsibility_groups_minutesversion", "responsibility_groups_meetingtransition")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist;")
    schema_editor.execute(
        f"ALTER TABLE {BOOKINGS} ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
        f"(user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active);"
    )
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION medvirk_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {BOOKINGS} DROP CONSTRAINT IF EXISTS booking_no_overlap;")
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [("responsibility_groups", "0001_initial"), ("casework", "0002_append_only_logs")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
