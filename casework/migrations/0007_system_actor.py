from django.conf import settings
from django.contrib.auth.hashers import is_password_usable, make_password
from django.db import migrations

# The same username as casework.system.SYSTEM_USERNAME; a migration keeps its own copy so that
# what it does never changes with the code.
USERNAME = "system"


def create_system_actor(apps, schema_editor):
    """The login scheduled work acts as (casework.system): nobody can sign in with it. A second
    run finds it and does nothing. A login already named "system" that someone can use (active,
    staff, superuser or with a password) is not taken over: the migration stops and asks for it
    to be renamed, since the audit trail would name its holder as the system."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    existing = User.objects.filter(username=USERNAME).first()
    if existing is None:
        User.objects.create(
            username=USERNAME,
            password=make_password(None),  # unusable
            is_active=False,
            is_staff=False,
            is_superuser=False,
        )
        return
    if existing.is_active or existing.is_staff or existing.is_superuser or is_password_usable(existing.password):
        raise RuntimeError(
            f"A login named {USERNAME!r} (id {existing.pk}) can be signed in with; the name is reserved "
            "for the system actor of scheduled work. Rename that login and migrate again."
        )


def remove_system_actor(apps, schema_editor):
    """Undo: remove the login only while nothing refers to it. Once the audit trail or a history
    names it (both protect their actor) it stays, and migrating forward again adopts it.

    What refers to it is asked of the database itself, every foreign key to the user table: the
    historical models here can name tables that later migrations of other apps have dropped
    (plans.PlanAccessGrant), so neither their relations nor a cascading delete can be trusted."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    user_id = User.objects.filter(username=USERNAME, is_active=False).values_list("pk", flat=True).first()
    if user_id is None:
        return
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    target = (User._meta.db_table, User._meta.pk.column)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for constraint in connection.introspection.get_constraints(cursor, table).values():
                if constraint["foreign_key"] != target:
                    continue
                for column in constraint["columns"]:
                    cursor.execute(f"SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s", [user_id])
                    if cursor.fetchone() is not None:
                        return
    User.objects.filter(pk=user_id)._raw_delete(connection.alias)  # nothing refers to it


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_access_grant_ledger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_system_actor, remove_system_actor, elidable=False),
    ]
