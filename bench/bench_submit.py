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
import functools
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
        # After the commit: reading the answer back, or the notification enqueue asking the database.
        commits = [i for i, sql in enumerate(statements) if sql == "COMMIT"]
        counts[f"{label}_after_commit"] = len(statements) - commits[-1] - 1 if commits else 0
    return counts


# --- django-helpdesk's public ticket submit, the open-source peer (a bench-only venv) -----------------

HELPDESK_SETTINGS = """
import os
SECRET_KEY = "bench-only-helpdesk"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.sites", "django.contrib.messages",
    "django.contrib.staticfiles", "django.contrib.humanize", "rest_framework", "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hd_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HD_DB"], "USER": os.environ["HD_USER"],
    "PASSWORD": os.environ.get("HD_PASSWORD", ""), "HOST": os.environ["HD_HOST"],
    "PORT": os.environ["HD_PORT"], "CONN_MAX_AGE": 60,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # sends nothing: no mail cost at all
HELPDESK_TEAMS_MODE_ENABLED = False
LOGIN_URL = "/login/"
"""
HELPDESK_URLS = """
from django.contrib.auth import views as auth_views
from django.urls import include, path
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""
HELPDESK_PREPARE = """
import json
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from helpdesk.models import Queue
queue, _ = Queue.objects.get_or_create(
    slug="bench", defaults={"title": "Bench", "allow_public_submission": True}
)
form = {"queue": queue.pk, "title": "打印机卡纸", "body": "打印机卡纸，无法打印，请尽快安排工程师上门",
        "submitter_email": "bench@example.com", "priority": 3, "due_date": ""}
client = Client(HTTP_HOST="127.0.0.1")
assert client.post("/tickets/submit/", form).status_code == 302
with CaptureQueriesContext(connection) as captured:
    assert client.post("/tickets/submit/", form).status_code == 302
print(json.dumps({"form": form, "statements": len(captured.captured_queries)}))
"""


class Helpdesk:
    """django-helpdesk (the package's latest release, from the registry, in ``venv``; never a
    project dependency) served like Baoxiu: its own database on the same server, 2 gunicorn workers.
    Anonymous public submit (its form has no sign-in); mail goes to Django's dummy backend."""

    def __init__(self, venv: Path, database: str, workers: int) -> None:
        self.python = venv / "bin" / "python"
        self.database = database
        self.workers = workers
        self.site = Path(tempfile.mkdtemp(prefix="bench-helpdesk-"))
        (self.site / "hd_settings.py").write_text(HELPDESK_SETTINGS, encoding="utf-8")
        (self.site / "hd_urls.py").write_text(HELPDESK_URLS, encoding="utf-8")
        (self.site / "hd_prepare.py").write_text(HELPDESK_PREPARE, encoding="utf-8")
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0

    def _env(self) -> dict[str, str]:
        from _django import _create_database
        from django.conf import settings

        db = dict(settings.DATABASES["default"])
        _create_database(db, self.database)
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "hd_settings",
            "PYTHONPATH": str(self.site),
            "HD_DB": self.database,
            "HD_USER": str(db.get("USER") or "postgres"),
            "HD_PASSWORD": str(db.get("PASSWORD") or ""),
            "HD_HOST": str(db.get("HOST") or "127.0.0.1"),
            "HD_PORT": str(db.get("PORT") or 5432),
        }

    def prepare(self) -> dict[str, Any]:
        env = self._env()
        run = functools.partial(
            subprocess.run, cwd=self.site, env=env, check=True, capture_output=True, text=True
        )
        run([str(self.python), "-m", "django", "migrate", "-v0"])
        prepared = json.loads(run([str(self.python), "hd_prepare.py"]).stdout.strip().splitlines()[-1])
        version = run(
            [str(self.python), "-c", "import importlib.metadata as m; print(m.version('django-helpdesk'))"]
        )
        prepared["version"] = version.stdout.strip()
        return prepared

    def start(self) -> int:
        self.port = _free_port()
        self.server = subprocess.Popen(  # noqa: S603
            [
                str(self.python),
                "-m",
                "gunicorn",
                "django.core.wsgi:get_wsgi_application()",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=self.site,
            env=self._env(),
        )
        _wait_for(self.port, "127.0.0.1", self.server, path="/tickets/submit/")
        return self.port

    def tickets(self) -> int:
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        with psycopg.connect(
            dbname=self.database,
            user=str(db.get("USER") or "postgres"),
            password=str(db.get("PASSWORD") or "") or None,
            host=str(db.get("HOST") or "127.0.0.1"),
            port=int(str(db.get("PORT") or 5432)),
        ) as conn:
            row = conn.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()
        return int(row[0]) if row else 0

    def stop(self) -> None:
        if self.server is not None:
            _stop(self.server)


def _wait_for(port: int, host: str, server: subprocess.Popen[bytes], *, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start ({path})") from None
            time.sleep(0.3)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:  # a loaded box: workers still draining; the figures stand
        server.kill()
        server.wait()


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
    parser.add_argument(
        "--helpdesk-venv",
        default="/tmp/helpdesk-venv",
        help="a venv with django-helpdesk + gunicorn + psycopg (bench only; bench/README says how to make "
        "it); its public ticket submit becomes a third column. '' or a missing venv: no such column",
    )
    args = parser.parse_args()
    if args.redis:
        os.environ["REDIS_URL"] = args.redis  # this process too: the round-trip count sees what gunicorn does
    else:
        os.environ.pop("REDIS_URL", None)
    setup(args.db)
    data = _prepare()
    round_trips = _round_trips(data)
    helpdesk = None
    if args.helpdesk_venv and (Path(args.helpdesk_venv) / "bin" / "python").exists():
        helpdesk = Helpdesk(Path(args.helpdesk_venv), f"{args.db}_helpdesk", args.workers)
        helpdesk_prepared = helpdesk.prepare()
        round_trips["helpdesk_statements"] = helpdesk_prepared["statements"]
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
    load_before = os.getloadavg()
    try:
        _wait_for(port, HOST, server)
        columns = {
            "bare": (port, _lua("/bench/bare-insert/", data["bare_body"], data["cookie"])),
            "submit": (port, _lua("/report/", data["submit_body"], data["cookie"])),
            "api": (
                port,
                _lua("/api/v1/portal/orders/", data["api_body"], data["cookie"], json_csrf=data["csrf"]),
            ),
        }
        if helpdesk is not None:
            form = {**helpdesk_prepared["form"], "csrfmiddlewaretoken": data["csrf"]}
            columns["helpdesk"] = (
                helpdesk.start(),
                _lua("/tickets/submit/", urlencode(form), f"csrftoken={data['csrf']}"),
            )
        orders_before = _count(data["schema"], "repair_forms_repairorder")
        for column_port, script in columns.values():  # warm all (connections, caches, imports)
            _wrk(column_port, script, 3, args.connections)
        warm_orders = _count(data["schema"], "repair_forms_repairorder")
        warm_tickets = helpdesk.tickets() if helpdesk else 0
        results: dict[str, list[dict[str, float]]] = {name: [] for name in columns}
        for _round in range(args.rounds):  # alternating: drift on a shared box hits every column
            for name, (column_port, script) in columns.items():
                results[name].append(_wrk(column_port, script, args.duration, args.connections))
        orders_made = _count(data["schema"], "repair_forms_repairorder") - warm_orders
        tickets_made = helpdesk.tickets() - warm_tickets if helpdesk else 0
    finally:
        _stop(server)
        if helpdesk is not None:
            helpdesk.stop()
        if args.redis:
            _flush(args.redis)  # the queued notification tasks of this run (our own db number)
    load_after = os.getloadavg()
    median = {name: statistics.median(r["rps"] for r in rounds) for name, rounds in results.items()}
    expected = sum(r["rps"] for r in results["submit"] + results["api"]) * args.duration
    report: dict[str, Any] = {
        "git": git_rev(),
        "cpus": os.cpu_count(),
        "load_average_1m_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
        "workers": args.workers,
        "redis": bool(args.redis),
        "connections": args.connections,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "bare_insert_rps": round(median["bare"], 1),
        "portal_submit_rps": round(median["submit"], 1),
        "api_submit_rps": round(median["api"], 1),
        "ratio": round(median["submit"] / median["bare"], 3),
        "api_ratio": round(median["api"] / median["bare"], 3),
        "target_ratio": 0.5,
        "p99_ms": {k: statistics.median(r["p99_ms"] for r in v) for k, v in results.items()},
        **{f"{name}_rounds": [r["rps"] for r in rounds] for name, rounds in results.items()},
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for rounds in results.values() for r in rounds),
        "orders_made_vs_expected": round(orders_made / expected, 3) if expected else None,
        "orders_before": orders_before,
        **round_trips,
    }
    if helpdesk is not None:
        expected_tickets = sum(r["rps"] for r in results["helpdesk"]) * args.duration
        report.update(
            helpdesk_version=helpdesk_prepared["version"],
            helpdesk_submit_rps=round(median["helpdesk"], 1),
            helpdesk_ratio=round(median["helpdesk"] / median["bare"], 3),
            tickets_made_vs_expected=round(tickets_made / expected_tickets, 3) if expected_tickets else None,
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
