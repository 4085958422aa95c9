"""Make the audit table append-only in the database itself, so that not even raw SQL from the
application can quietly change history (the hash chain would still reveal it)."""

from django.db import migrations


def up(apps, schema_editor):
    from jiuzhu.audit.guard import guard_install

    guard_install(schema_editor.connection)


def down(apps, schema_editor):
    from jiuzhu.audit.guard import guard_remove

    guard_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
