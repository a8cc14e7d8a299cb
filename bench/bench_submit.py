"""Submit throughput: the portal's POST /report/ (a signed-in customer files an order from a machine's
QR link) and the API's POST /api/v1/portal/orders/ (the mini-program's path, JSON) under wrk,
16 connections, against 2 gunicorn workers — compared in the same run with a bare django-tenants
view that inserts one row (the ceiling; bench-only urlconf ``submit_urls``).
Target (issue 17): each submit ≥ 50 % of the ceiling, ≤ 6 database round trips, p99 reported.

Both endpoints get the same middleware, session cookie and a form body of similar size. Rounds
alternate bare / submit so drift hits both; the medians are reported. Every response must be a
2xx/3xx (wrk's "Non-2xx" count must be 0) and every submit must have made an order.

    .venv/bin/python bench/bench_submit.py [--db baoxiu_bench_submit] [--duration 15] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "submit_settings")
os.environ.setdefault("DEBUG", "false")

from _django import ROOT, git_rev, setup  # noqa: E402

HOST = "bench-submit.localhost"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(name: str) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = quote(str(db.get("USER") or "postgres"), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _prepare() -> dict[str, Any]:
    """Provider, machine, customer, a signed-in session and a CSRF pair, in the bench database."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django_tenants.utils import schema_context

    from accounts.services import customer_get_or_create
    from tenants.models import Domain
    from tenants.services import OwnerSpec, provider_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    domain = Domain.objects.filter(domain=HOST).select_related("tenant").first()
    provider = (
        domain.tenant
        if domain
        else provider_provision(
            name="压测服务中心 Bench submit",
            subdomain="bench-submit",
            owner=OwnerSpec(phone="13700000001", password="bench-secret"),
        )
    )
    with schema_context(provider.schema_name):
        from accounts.models import StaffMember
        from repair_forms.asset_services import AssetData, asset_create, catalog_path_get_or_create
        from repair_forms.lifecycle import Actor
        from repair_forms.models import Asset

        brand, category, model = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
        asset = Asset.objects.filter(machine_no="BENCH-1").first() or asset_create(
            actor=Actor.for_staff(StaffMember.objects.get(is_owner=True)),
            data=AssetData(
                machine_no="BENCH-1",
                serials=["SN-BENCH-1"],
                brand=brand,
                category=category,
                model=model,
                location_building="A栋",
                location_room="301",
            ),
        )
        customer = customer_get_or_create(phone="13800000002", name="压测客户")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_row (id bigserial PRIMARY KEY, payload text)")
        session = SessionStore()
        session[SESSION_KEY] = str(customer.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = customer.user.get_session_auth_hash()
        session.create()
        token = _get_new_csrf_string()
        form = {
            "csrfmiddlewaretoken": token,
            "asset": asset.token,
            "f_machine__brand": brand.pk,
            "f_machine__category": category.pk,
            "f_machine__model": model.pk,
            "f_machine_no": "BENCH-1",
            "f_serial": "SN-BENCH-1",
            "f_fault_description": "打印机卡纸，无法打印，请尽快安排工程师上门",
            "f_service_type": "repair",
            "f_warranty": "out",
            "f_notes": "三楼东侧",
            "action": "submit",
        }
        api_values = {
            "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
            "machine_no": "BENCH-1",
            "serial": "SN-BENCH-1",
            "fault_description": form["f_fault_description"],
            "service_type": "repair",
            "warranty": "out",
            "notes": "三楼东侧",
        }
        return {
            "schema": provider.schema_name,
            "csrf": token,
            "api_body": json.dumps({"asset": asset.token, "values": api_values}, ensure_ascii=False),
            "cookie": (
                f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={token}"
            ),
            "submit_body": urlencode(form),
            "bare_body": urlencode(
                {"csrfmiddlewaretoken": token, "payload": form["f_fault_description"] * 6}
            ),
        }


def _lua(path: str, body: str, cookie: str, *, json_csrf: str = "") -> str:
    """A wrk script posting ``body``: a form, or JSON with the CSRF header when ``json_csrf``."""
    content_type = "application/json" if json_csrf else "application/x-www-form-urlencoded"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.path = {json.dumps(path)}\n"
            f"wrk.body = {json.dumps(body, ensure_ascii=False)}\n"
            f'wrk.headers["Content-Type"] = "{content_type}"\n'
            f'wrk.headers["Host"] = "{HOST}"\n'
            f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
            + (f'wrk.headers["X-CSRFToken"] = "{json_csrf}"\n' if json_csrf else "")
        )
    return script.name


def _wrk(port: int, script: str, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "-s",
            script,
            "--latency",
            "--timeout",
            "10s",  # a loaded box answers slowly; a timed-out request would count as none at all
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    unit_ms = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * unit_ms[p99.group(2)] if p99 else float("nan")
    return {
        "rps": rps,
        "p99_ms": p99_ms,
        "non_2xx_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": bool(errors),
    }


def _count(schema: str, table: str) -> int:
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        return int(cursor.fetchone()[0])


def _round_trips(data: dict[str, Any]) -> dict[str, int]:
    """Database round trips of one request to each endpoint, measured in-process (the same code and
    database as the served app): where the difference between the two comes from."""
    from urllib.parse import parse_qsl

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    for part in data["cookie"].split("; "):
        name, value = part.split("=", 1)
        client.cookies[name] = value
    counts: dict[str, int] = {}
    api = Client(HTTP_HOST=HOST, HTTP_X_CSRFTOKEN=data["csrf"], enforce_csrf_checks=True)
    api.cookies = client.cookies
    for label, path, body in (
        ("bare", "/bench/bare-insert/", data["bare_body"]),
        ("submit", "/report/", data["submit_body"]),
        ("api", "/api/v1/portal/orders/", data["api_body"]),
    ):

        def post(path: str = path, body: str = body, label: str = label) -> Any:
            if label == "api":
                return api.post(path, body, content_type="application/json")
            return client.post(path, dict(parse_qsl(body)))

        assert post().status_code in (200, 201, 302), f"{label} refused"  # warm, and it must work
        with CaptureQueriesContext(connection) as captured:
            post()
        statements = [q["sql"] for q in captured.captured_queries]
        counts[f"{label}_statements"] = len(statements)
        counts[f"{label}_set_search_path"] = sum(sql.startswith("SET search_path") for sql in statements)
    return counts


def _flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench_submit")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/13",
        help="broker + cache of the served app, as in production (notifications are queued for workers, "
        "not sent inside the request); '' = no Redis: tasks run in-process, inside each request",
    )
    args = parser.parse_args()
    if args.redis:
        os.environ["REDIS_URL"] = args.redis  # this process too: the round-trip count sees what gunicorn does
    else:
        os.environ.pop("REDIS_URL", None)
    setup(args.db)
    data = _prepare()
    round_trips = _round_trips(data)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="submit_settings",
        DATABASE_URL=_database_url(args.db),
        DEBUG="false",
        BASE_DOMAIN="localhost",
        TENANT_SPARE_POOL_SIZE="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "saas_platform.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
                with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (loopback)
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        bare = _lua("/bench/bare-insert/", data["bare_body"], data["cookie"])
        submit = _lua("/report/", data["submit_body"], data["cookie"])
        api = _lua("/api/v1/portal/orders/", data["api_body"], data["cookie"], json_csrf=data["csrf"])
        orders_before = _count(data["schema"], "repair_forms_repairorder")
        for script in (bare, submit, api):  # warm all three (connections, caches, imports)
            _wrk(port, script, 3, args.connections)
        warm_orders = _count(data["schema"], "repair_forms_repairorder")
        results: dict[str, list[dict[str, float]]] = {"bare": [], "submit": [], "api": []}
        for _round in range(args.rounds):
            results["bare"].append(_wrk(port, bare, args.duration, args.connections))
            results["submit"].append(_wrk(port, submit, args.duration, args.connections))
            results["api"].append(_wrk(port, api, args.duration, args.connections))
        orders_made = _count(data["schema"], "repair_forms_repairorder") - warm_orders
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a loaded box: workers still draining; the figures stand
            server.kill()
            server.wait()
        if args.redis:
            _flush(args.redis)  # the queued notification tasks of this run (our own db number)
    bare_rps = statistics.median(r["rps"] for r in results["bare"])
    submit_rps = statistics.median(r["rps"] for r in results["submit"])
    api_rps = statistics.median(r["rps"] for r in results["api"])
    expected = sum(r["rps"] for r in results["submit"] + results["api"]) * args.duration
    print(
        json.dumps(
            {
                "git": git_rev(),
                "cpus": os.cpu_count(),
                "workers": args.workers,
                "redis": bool(args.redis),
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "bare_insert_rps": round(bare_rps, 1),
                "portal_submit_rps": round(submit_rps, 1),
                "api_submit_rps": round(api_rps, 1),
                "ratio": round(submit_rps / bare_rps, 3),
                "api_ratio": round(api_rps / bare_rps, 3),
                "target_ratio": 0.5,
                "p99_ms": {k: statistics.median(r["p99_ms"] for r in v) for k, v in results.items()},
                "bare_rounds": [r["rps"] for r in results["bare"]],
                "submit_rounds": [r["rps"] for r in results["submit"]],
                "api_rounds": [r["rps"] for r in results["api"]],
                "non_2xx_3xx": sum(r["non_2xx_3xx"] for rounds in results.values() for r in rounds),
                "orders_made_vs_expected": round(orders_made / expected, 3) if expected else None,
                "orders_before": orders_before,
                **round_trips,
            }
        )
    )


if __name__ == "__main__":
    main()
