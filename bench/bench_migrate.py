"""A no-op ``migrate_schemas`` across many tenants (target < 30 s for 1,000).

Run after bench_provision.py (which leaves ~1,000 tenants in the bench database):

    .venv/bin/python bench/bench_migrate.py [--db baoxiu_bench]
"""

from __future__ import annotations

import argparse
import json
import time

from _django import git_rev, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup(args.db)
    from django.core.management import call_command

    from tenants.models import Provider

    tenants = Provider.objects.count()
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        call_command("migrate_schemas", verbosity=0)
        timings.append(time.perf_counter() - started)
    rounded = [round(t, 2) for t in timings]
    print(json.dumps({"git": git_rev(), "tenants": tenants, "noop_migrate_s": rounded}))


if __name__ == "__main__":
    main()
