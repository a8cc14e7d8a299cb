"""The console's search box (repair_forms.search) on bench_order_list.py's 1,000,000 orders:
target p95 < 150 ms per search page.

Same data and database as ``bench_order_list.py`` (loaded once by its ``_load``; reporters are
named 客户<n> with phones +86136…, 200 companies 客户公司NNN, models 型号…, six fault texts,
serials SN-<n>, machine numbers NO<nnnnnn>). Each sample is one full request of the console list
with ``?q=`` as a signed-in admin (routing, session, the search, the page of 50 rows). Scenarios:
a phone fragment, a reporter's name, a company, a model, a serial, a fragment of the order number
(00004), a common 2-character fault word, a 3-character one, two words, and words that match
nothing (2 and 5 characters: the worst case, nothing to stop early on).

    .venv/bin/python bench/bench_order_search.py [--db baoxiu_bench_orders] [--orders 1000000] [--samples 30]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

os.environ.setdefault("DEBUG", "false")

from _django import git_rev, percentile, setup  # noqa: E402

TARGET_P95_MS = 150


def _scenarios(provider: Any) -> list[tuple[str, str]]:
    from django_tenants.utils import schema_context

    from accounts.models import Customer, CustomerCompany

    with schema_context(provider.schema_name):
        reporter = Customer.objects.order_by("pk")[123]
        company = CustomerCompany.objects.order_by("pk")[11]
    return [
        ("phone fragment (8 digits)", reporter.phone[-8:]),
        ("reporter name", reporter.name),
        ("company", company.name),
        ("model", "型号03-2-1"),
        ("serial", "SN-654321"),
        ("order number fragment 00004", "00004"),
        ("2-char fault word 打印 (1 in 6)", "打印"),
        ("3-char fault word 不制冷", "不制冷"),
        ("two words", f"{company.name} 卡纸"),
        ("no match, 2 chars 蓝屏", "蓝屏"),
        ("no match, 5 chars", "xyzzy"),
    ]


def _ensure_search_indexes(provider: Any) -> None:
    """A bench database loaded before the search migration gets it now (migrate_schemas in _load)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(provider.schema_name), connection.cursor() as cursor:
        cursor.execute("ANALYZE repair_forms_repairorder")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench_orders")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    setup(args.db)
    from bench_order_list import HOST, _load
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_tenants.utils import schema_context

    provider, owner = _load(args.orders)
    _ensure_search_indexes(provider)
    client = Client(HTTP_HOST=HOST)
    with schema_context(provider.schema_name):
        client.force_login(get_user_model().objects.get(pk=owner.user_id))
    results: dict[str, dict[str, Any]] = {}
    everything: list[float] = []
    for name, text in _scenarios(provider):
        for _ in range(2):  # warm
            client.get("/console/orders/", {"q": text})
        samples = []
        for _ in range(args.samples):
            started = time.perf_counter()
            response = client.get("/console/orders/", {"q": text})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        rows = response.content.decode().count('class="order-row"')
        everything.extend(samples)
        results[name] = {
            "q": text,
            "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "rows_on_page": rows,
        }
    print(
        json.dumps(
            {
                "git": git_rev(),
                "orders": args.orders,
                "samples_per_scenario": args.samples,
                "overall_p95_ms": round(percentile(everything, 95), 1),
                "worst_p95_ms": max(r["p95_ms"] for r in results.values()),
                "target_p95_ms": TARGET_P95_MS,
                "scenarios": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
