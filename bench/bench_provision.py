"""Provisioning time when 1, 100 and 1,000 tenants already exist (target p95 < 1 s, flat).

Two paths are timed at each level: a DDL clone of the template schema (what signup does when the
spare pool is empty) and renaming a pre-migrated spare (what signup does normally). Each sample is
one full ``provider_provision`` call: Provider + Domain + schema + seed data, committed. The owner's
password hash (PBKDF2, Django's default work factor) is part of every sample and is reported on its
own too, because it dominates the spare path.

    .venv/bin/python bench/bench_provision.py [--levels 1,100,1000] [--samples 20] [--db baoxiu_bench]
"""

from __future__ import annotations

import argparse
import json
import time

from _django import git_rev, percentile, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="1,100,1000")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--db", default="baoxiu_bench")
    args = parser.parse_args()
    setup(args.db)

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from tenants import services
    from tenants.models import Provider
    from tenants.services import OwnerSpec, provider_provision

    call_command("migrate_schemas", verbosity=0)
    with connection.cursor() as cursor:
        template = services.template_schema()
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [template])
        tables = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = %s", [services.template_schema()])
        indexes = cursor.fetchone()[0]

    counter = Provider.objects.count()

    def make(prefix: str, use_spare: bool) -> float:
        nonlocal counter
        counter += 1
        started = time.perf_counter()
        provider_provision(
            name=f"bench {prefix} {counter}",
            subdomain=f"{prefix}{counter}",
            owner=OwnerSpec(phone="13800138000", password="bench123"),
            use_spare=use_spare,
        )
        return time.perf_counter() - started

    results = {"git": git_rev(), "template_tables": tables, "template_indexes": indexes, "levels": []}
    for level in [int(x) for x in args.levels.split(",")]:
        while Provider.objects.count() < level:
            make("fill", use_spare=False)
        clone = [make("clone", use_spare=False) for _ in range(args.samples)]
        services.spare_pool_refill(size=args.samples)
        spare = [make("spare", use_spare=True) for _ in range(args.samples)]
        hashing = []
        for _ in range(3):
            started = time.perf_counter()
            make_password("bench123")
            hashing.append(time.perf_counter() - started)
        row = {
            "existing_tenants": level,
            "password_hash_ms": round(percentile(hashing, 50) * 1000, 1),
            "clone_p50_ms": round(percentile(clone, 50) * 1000, 1),
            "clone_p95_ms": round(percentile(clone, 95) * 1000, 1),
            "spare_p50_ms": round(percentile(spare, 50) * 1000, 1),
            "spare_p95_ms": round(percentile(spare, 95) * 1000, 1),
        }
        results["levels"].append(row)
        print(json.dumps(row), flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
