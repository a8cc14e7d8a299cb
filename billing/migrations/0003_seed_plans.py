"""Seed the three plans (试用版, 基础版, 高级版). Operators edit prices and entitlements later."""

from django.db import migrations

PLANS = [
    {
        "code": "trial",
        "name": "试用版",
        "name_en": "Trial",
        "description": "15 天免费试用，基础版的全部功能。",
        "description_en": "15 days free with everything in Basic.",
        "rank": 0,
        "is_trial": True,
        "is_public": False,
        "monthly_price_fen": 0,
        "yearly_price_fen": 0,
        "asset_sync": False,
        "custom_domain": False,
        "wechat": True,
        "staff_seats": 10,
        "custom_form_templates": 5,
    },
    {
        "code": "basic",
        "name": "基础版",
        "name_en": "Basic",
        "description": "报修门户、微信公众号、派单与评价。",
        "description_en": "Repair portal, WeChat official account, dispatch and ratings.",
        "rank": 10,
        "is_trial": False,
        "is_public": True,
        "monthly_price_fen": 9900,
        "yearly_price_fen": 99000,
        "asset_sync": False,
        "custom_domain": False,
        "wechat": True,
        "staff_seats": 10,
        "custom_form_templates": 5,
    },
    {
        "code": "premium",
        "name": "高级版",
        "name_en": "Premium",
        "description": "基础版全部功能，另有资产系统同步、自定义域名，员工与表单不限。",
        "description_en": "Everything in Basic plus asset-system sync, a custom domain, unlimited staff and forms.",
        "rank": 20,
        "is_trial": False,
        "is_public": True,
        "monthly_price_fen": 29900,
        "yearly_price_fen": 299000,
        "asset_sync": True,
        "custom_domain": True,
        "wechat": True,
        "staff_seats": None,
        "custom_form_templates": None,
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for values in PLANS:
        Plan.objects.update_or_create(code=values["code"], defaults=values)


def unseed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code__in=[p["code"] for p in PLANS], accounts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_ledger_immutable")]

    operations = [migrations.RunPython(seed, unseed)]
