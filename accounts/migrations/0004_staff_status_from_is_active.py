from django.db import migrations


def status_from_is_active(apps, schema_editor):
    StaffMember = apps.get_model("accounts", "StaffMember")
    StaffMember.objects.filter(is_active=False).update(status="deactivated")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_staff_status_and_engineer_join")]

    operations = [migrations.RunPython(status_from_is_active, migrations.RunPython.noop)]
