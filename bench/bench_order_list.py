"""Console order list (报修单列表) with 1,000,000 orders in one tenant, filtered and keyset-paginated:
target p95 < 100 ms per page.

Loads the orders once into a bench database with one ``INSERT … SELECT … FROM generate_series`` in
the tenant's schema (~1 year of orders, 8 statuses, 10 brands / 50 categories / 200 models, 200
companies, 1,000 reporters, 30 engineers, 5 % overdue, 3 % urged — each attribute an independent
hash of the row number, so filter combinations match as often as they would by chance), then
ANALYZE.
Each sample is one full request of the console page (routing, session, filters form, the keyset
query, the template with 50 rows) or of the console list API, made in-process with Django's test
client as a signed-in admin. Scenarios: no filter, every single filter, a few combinations, a
date range, an exact number, and pages far down the list (cursors 1,000 / 10,000 / 100,000 rows
deep).

    .venv/bin/python bench/bench_order_list.py [--db baoxiu_bench_orders] [--orders 1000000] [--samples 30]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

os.environ.setdefault("DEBUG", "false")

from _django import git_rev, percentile, setup  # noqa: E402

HOST = "bench-orders.localhost"
BRANDS, CATEGORIES_PER_BRAND, MODELS_PER_CATEGORY = 10, 5, 4
COMPANIES, REPORTERS, ENGINEERS = 200, 1000, 30

ORDERS_SQL = """
INSERT INTO repair_forms_repairorder (
    number, status, template_version_id, reporter_id, company_id, asset_id, engineer_id,
    contact_name, contact_phone, brand_id, category_id, model_id, machine_no, serial,
    fault_description, service_type, warranty_status, appointment_at, appointment_until, notes,
    location_plot, location_building, location_room, location_address, extra,
    submitted_at, accepted_at, job_submitted_at, completed_at, cancelled_at, cancel_reason,
    suspended_seconds, suspended_since, is_urged, urge_count, last_urged_at, is_overdue,
    rating_stars, external_ref, updated_at
)
SELECT
    'BX-' || to_char(o.ts AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(o.g::text, 7, '0'),
    o.status, %(version)s, %(reporter0)s + o.reporter,
    CASE WHEN o.no_company THEN NULL ELSE %(company0)s + o.company END,
    NULL,
    CASE WHEN o.status IN ('dispatched', 'in_progress', 'suspended', 'awaiting_confirmation', 'completed')
         THEN (%(engineer_ids)s::bigint[])[1 + o.engineer] END,
    '', '', %(brand0)s + o.m / %(per_brand)s, %(category0)s + o.m / %(per_category)s, %(model0)s + o.m,
    'NO' || lpad((o.g %% 50000)::text, 6, '0'), 'SN-' || o.g,
    (ARRAY['不能打印', '卡纸', '空调不制冷', '开不了机', '屏幕闪烁', '网络不通'])[1 + o.g %% 6],
    (ARRAY['install', 'repair', 'maintenance'])[1 + o.service],
    (ARRAY['factory', 'contract', 'out', 'unknown'])[1 + o.warranty],
    CASE WHEN o.g %% 2 = 0 THEN o.ts + interval '1 day' END, NULL, '',
    '', '', '', '', '{}'::jsonb,
    o.ts,
    CASE WHEN o.status NOT IN ('submitted', 'cancelled') THEN o.ts + interval '40 minutes' END,
    CASE WHEN o.status IN ('awaiting_confirmation', 'completed') THEN o.ts + interval '1 day' END,
    CASE WHEN o.status = 'completed' THEN o.ts + interval '2 days' END,
    CASE WHEN o.status = 'cancelled' THEN o.ts + interval '20 minutes' END,
    CASE WHEN o.status = 'cancelled' THEN '不需要了' ELSE '' END,
    0, CASE WHEN o.status = 'suspended' THEN o.ts + interval '3 hours' END,
    o.urged, CASE WHEN o.urged THEN 1 ELSE 0 END, CASE WHEN o.urged THEN o.ts + interval '3 hours' END,
    o.overdue, NULL, '', o.ts
FROM (
    SELECT h.*,
           CASE
               WHEN h.bucket < 5 THEN 'submitted'
               WHEN h.bucket < 10 THEN 'accepted'
               WHEN h.bucket < 20 THEN 'dispatched'
               WHEN h.bucket < 30 THEN 'in_progress'
               WHEN h.bucket < 32 THEN 'suspended'
               WHEN h.bucket < 35 THEN 'awaiting_confirmation'
               WHEN h.bucket < 95 THEN 'completed'
               ELSE 'cancelled'
           END AS status
    FROM (
        -- Independent pseudo-random attributes (hashes of the row number), reproducible run to run.
        SELECT g,
               now() - g * interval '31 seconds' - mod(abs(hashint8(g * 11 + 1)), 31) * interval '1 s' AS ts,
               mod(abs(hashint8(g * 11 + 2)), %(models)s) AS m,
               mod(abs(hashint8(g * 11 + 3)), 100) AS bucket,
               mod(abs(hashint8(g * 11 + 4)), 20) = 0 AS overdue,
               mod(abs(hashint8(g * 11 + 5)), 33) = 0 AS urged,
               mod(abs(hashint8(g * 11 + 6)), %(companies)s) AS company,
               mod(abs(hashint8(g * 11 + 7)), 5) = 0 AS no_company,
               mod(abs(hashint8(g * 11 + 8)), %(engineers)s) AS engineer,
               mod(abs(hashint8(g * 11 + 9)), %(reporters)s) AS reporter,
               mod(abs(hashint8(g * 11 + 10)), 3) AS service,
               mod(abs(hashint8(g * 11 + 11)), 4) AS warranty
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    ) AS h
) AS o
"""


CUSTOMERS_SQL = (
    "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
    "is_active, date_joined) SELECT '!', false, 'customer:+86136' || lpad(g::text, 8, '0'), '', '', '', "
    "false, true, now() FROM generate_series(1, %s) g",
    "INSERT INTO accounts_customer (user_id, phone, name, company_id, is_company_manager, created_at) "
    "SELECT u.id, substr(u.username, 10), '客户' || u.id, NULL, false, now() FROM auth_user u "
    "WHERE u.username LIKE 'customer:+86136%'",
)


def _load(orders: int) -> tuple[Any, Any]:
    """The bench provider (created and filled once) and its owner."""
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Domain
    from tenants.services import OwnerSpec, provider_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    domain = Domain.objects.filter(domain=HOST).select_related("tenant").first()
    provider = (
        domain.tenant
        if domain
        else provider_provision(
            name="压测服务中心 Bench orders",
            subdomain="bench-orders",
            owner=OwnerSpec(phone="13700000003", password="bench-secret"),
        )
    )
    with schema_context(provider.schema_name):
        from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
        from accounts.services import staff_create
        from repair_forms.form_templates import default_template_version
        from repair_forms.models import Brand, Category, MachineModel, RepairOrder

        owner = StaffMember.objects.get(is_owner=True)
        have = RepairOrder.objects.count()
        if have >= orders:
            return provider, owner
        started = time.perf_counter()
        if not Brand.objects.exists():
            for b in range(BRANDS):
                brand = Brand.objects.create(name=f"品牌{b:02d}")
                for c in range(CATEGORIES_PER_BRAND):
                    category = Category.objects.create(brand=brand, name=f"类别{b:02d}-{c}")
                    for m in range(MODELS_PER_CATEGORY):
                        MachineModel.objects.create(category=category, name=f"型号{b:02d}-{c}-{m}")
        if not CustomerCompany.objects.exists():
            CustomerCompany.objects.bulk_create(
                CustomerCompany(name=f"客户公司{i:03d}", registration_token=f"bench-{i}")
                for i in range(COMPANIES)
            )
        engineers = list(StaffMember.objects.filter(role=StaffRole.ENGINEER).order_by("pk"))
        for index in range(len(engineers), ENGINEERS):
            staff_create(
                phone=f"1370001{index:04d}",
                password=None,
                role=StaffRole.ENGINEER,
                display_name=f"工程师{index}",
            )
        if not Customer.objects.exists():
            with connection.cursor() as cursor:
                cursor.execute(CUSTOMERS_SQL[0], [REPORTERS])
                cursor.execute(CUSTOMERS_SQL[1])

        def first(model: Any) -> int:
            return int(model.objects.order_by("pk").values_list("pk", flat=True).first())

        params: dict[str, Any] = {
            "version": default_template_version().pk,
            "reporter0": first(Customer),
            "reporters": REPORTERS,
            "company0": first(CustomerCompany),
            "companies": COMPANIES,
            "engineer_ids": list(
                StaffMember.objects.filter(role=StaffRole.ENGINEER)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            "engineers": ENGINEERS,  # the first ENGINEERS of them
            "brand0": first(Brand),
            "category0": first(Category),
            "model0": first(MachineModel),
            "models": BRANDS * CATEGORIES_PER_BRAND * MODELS_PER_CATEGORY,
            "per_brand": CATEGORIES_PER_BRAND * MODELS_PER_CATEGORY,
            "per_category": MODELS_PER_CATEGORY,
        }
        batch = 100_000
        with connection.cursor() as cursor:
            for start in range(have + 1, orders + 1, batch):
                cursor.execute(ORDERS_SQL, {**params, "first": start, "last": min(orders, start + batch - 1)})
            cursor.execute("ANALYZE repair_forms_repairorder")
        print(json.dumps({"loaded_orders": orders - have, "load_s": round(time.perf_counter() - started, 1)}))
        return provider, owner


def _scenarios(provider: Any) -> list[tuple[str, dict[str, Any]]]:
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import CustomerCompany, StaffMember, StaffRole
    from repair_forms.models import Brand, Category, RepairOrder
    from repair_forms.selectors import encode_cursor

    with schema_context(provider.schema_name):
        brand = Brand.objects.order_by("pk")[0]
        category = Category.objects.order_by("pk")[7]
        engineer = StaffMember.objects.filter(role=StaffRole.ENGINEER).order_by("pk")[3]
        company = CustomerCompany.objects.order_by("pk")[11]
        total = RepairOrder.objects.count()
        newest = RepairOrder.objects.order_by("-submitted_at", "-id")
        some = newest[min(54_321, total - 1)]
        deep = {depth: encode_cursor(newest[min(depth, total) - 1]) for depth in (1_000, 10_000, 100_000)}
        submitted_deep = encode_cursor(
            RepairOrder.objects.filter(status="completed").order_by("-submitted_at", "-id")[9_999]
        )
    today = timezone.localdate()
    return [
        ("all", {}),
        ("status=submitted", {"status": "submitted"}),
        ("status=completed", {"status": "completed"}),
        ("overdue", {"overdue": "1"}),
        ("urged", {"urged": "1"}),
        ("brand", {"brand": brand.pk}),
        ("category", {"category": category.pk}),
        ("engineer", {"engineer": engineer.pk}),
        ("company", {"company": company.pk}),
        ("service_type=install", {"service_type": "install"}),
        ("last 7 days", {"date_from": (today - timedelta(days=7)).isoformat()}),
        (
            "status+date range (a month, 6 months ago)",
            {
                "status": "completed",
                "date_from": (today - timedelta(days=200)).isoformat(),
                "date_to": (today - timedelta(days=170)).isoformat(),
            },
        ),
        ("brand+status+overdue", {"brand": brand.pk, "status": "completed", "overdue": "1"}),
        ("engineer+status", {"engineer": engineer.pk, "status": "in_progress"}),
        ("q=order number", {"q": some.number}),
        ("page 21 (1,000 deep)", {"cursor": deep[1_000]}),
        ("page 201 (10,000 deep)", {"cursor": deep[10_000]}),
        ("page 2,001 (100,000 deep)", {"cursor": deep[100_000]}),
        ("status=completed page 201", {"status": "completed", "cursor": submitted_deep}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench_orders")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    setup(args.db)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_tenants.utils import schema_context

    provider, owner = _load(args.orders)
    client = Client(HTTP_HOST=HOST)
    with schema_context(provider.schema_name):
        client.force_login(get_user_model().objects.get(pk=owner.user_id))
    scenarios = _scenarios(provider)
    results: dict[str, dict[str, float]] = {}
    everything: dict[str, list[float]] = {"page": [], "api": []}
    for name, params in scenarios:
        for kind, path in (("page", "/console/orders/"), ("api", "/api/v1/console/orders/")):
            for _ in range(2):  # warm
                client.get(path, params)
            samples = []
            rows = 0
            for _ in range(args.samples):
                started = time.perf_counter()
                response = client.get(path, params)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
            if kind == "api":
                rows = len(response.json()["results"])
            everything[kind].extend(samples)
            results[f"{kind}: {name}"] = {
                "p50_ms": round(percentile(samples, 50), 1),
                "p95_ms": round(percentile(samples, 95), 1),
                **({"rows": rows} if kind == "api" else {}),
            }
    print(
        json.dumps(
            {
                "git": git_rev(),
                "orders": args.orders,
                "samples_per_scenario": args.samples,
                "overall_page_p95_ms": round(percentile(everything["page"], 95), 1),
                "overall_api_p95_ms": round(percentile(everything["api"], 95), 1),
                "worst_p95_ms": max(r["p95_ms"] for r in results.values()),
                "target_p95_ms": 100,
                "scenarios": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
