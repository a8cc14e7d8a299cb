"""Providers made before billing existed get an account with a fresh 15-day trial."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def open_accounts(apps, schema_editor):
    Provider = apps.get_model("tenants", "Provider")
    Plan = apps.get_model("billing", "Plan")
    BillingAccount = apps.get_model("billing", "BillingAccount")
    trial = Plan.objects.get(code="trial")
    now = timezone.now()
    missing = Provider.objects.exclude(schema_name="public").filter(billing_account__isnull=True)
    BillingAccount.objects.bulk_create(
        [
            BillingAccount(
                provider=p, plan=trial, state="trialing", trial_ends_at=now + timedelta(days=15), state_changed_at=now
            )
            for p in missing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_seed_plans"), ("tenants", "0001_initial")]

    operations = [migrations.RunPython(open_accounts, migrations.RunPython.noop)]
