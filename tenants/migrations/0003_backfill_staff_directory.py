"""Fill the staff directory from the providers that existed before it: one SELECT per existing
schema, run once. New staff are added by accounts.services.staff_create from now on."""

from django.db import migrations


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def backfill(apps, schema_editor):
    Provider = apps.get_model("tenants", "Provider")
    StaffDirectory = apps.get_model("tenants", "StaffDirectory")
    with schema_editor.connection.cursor() as cursor:
        for provider in Provider.objects.all():
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                [provider.schema_name, "accounts_staffmember"],
            )
            if cursor.fetchone() is None:
                continue
            cursor.execute(f"SELECT phone FROM {_quote(provider.schema_name)}.accounts_staffmember")
            for (phone,) in cursor.fetchall():
                StaffDirectory.objects.get_or_create(phone=phone, provider_id=provider.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_staff_directory_and_domain_requests"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
