"""Tenant resolution on a warm cache: database queries per request (target 0) and time per lookup.

Drives the real routing middleware (around a view that does nothing) for requests spread over up to
1,000 tenant hosts, counting queries with CaptureQueriesContext; local-memory cache, or Redis when
REDIS_URL is set.

    .venv/bin/python bench/bench_resolution.py [--db baoxiu_bench] [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import time

from _django import git_rev, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    setup(args.db)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from tenants.middleware import TenantRoutingMiddleware
    from tenants.models import Domain

    hosts = list(Domain.objects.values_list("domain", flat=True)[:1000])
    if not hosts:
        raise SystemExit("run bench_provision.py first")
    # The real routing middleware around a view that does nothing: every query counted is routing's.
    middleware = TenantRoutingMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    requests = [factory.get("/", HTTP_HOST=hosts[i % len(hosts)]) for i in range(args.requests)]
    cache.clear()
    for request in requests[: len(hosts)]:  # warm every host once
        middleware(request)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        for request in requests:
            assert middleware(request).status_code == 200
        elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "git": git_rev(),
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                "hosts": len(hosts),
                "requests": args.requests,
                "queries": len(ctx.captured_queries),
                "us_per_request": round(elapsed / args.requests * 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
