"""Visitor appointments are a premium feature, open during the trial so a school can try it."""

from django.db import migrations

PLANS_WITH_VISITORS = ("premium", "trial")


def switch_on(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code__in=PLANS_WITH_VISITORS).update(visitors=True)


def switch_off(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code__in=PLANS_WITH_VISITORS).update(visitors=False)


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_plan_visitors_feature")]

    operations = [migrations.RunPython(switch_on, switch_off)]
