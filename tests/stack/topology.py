"""Start the production topology on this machine, from Debian and PyPI packages:

    client ──TLS──▶ Caddy (deploy/Caddyfile, internal CA, on-demand TLS asking /internal/tls-ask)
                      ├─▶ gunicorn replica r1 (2 workers, own working dir and var dir)
                      └─▶ gunicorn replica r2 (2 workers, own working dir and var dir)
    web, Celery worker, beat ──▶ PgBouncer (session mode, SCRAM) ──▶ PostgreSQL (throwaway database)
                             ──▶ Redis (own redis-server)   ──▶ S3 (moto's server)   ──▶ SMS (fake Tencent)

Everything binds 127.0.0.1 on free ports. Production settings (``saas_platform.settings.production``)
with every production requirement met: Tencent SMS (a loopback fake), Redis, S3, field encryption,
TRUSTED_PROXIES naming the proxy's address only.
"""

from __future__ import annotations

import configparser
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
from cryptography.fernet import Fernet
from psycopg import sql

from integrations.tests.fake_tencent_sms import FakeTencentSms
from integrations.tests.fake_tencent_sms import start as start_fake_sms
from tests.stack.processes import Proc, free_port, run, start, stop_all

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The machine's PostgreSQL (trust on loopback); the stack makes its own role and database there.
SERVER_URL = os.environ.get("BAOXIU_STACK_PG", "postgres://postgres@127.0.0.1:5432/postgres")
BASE_DOMAIN = "baoxiu.test"
PROXY_ADDRESS = "127.0.0.1"  # Caddy's address as the web replicas see it
CADDY = shutil.which("caddy") or "/usr/bin/caddy"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
VERIFY_TEMPLATE = "1110"  # the fake's approved template: (code, minutes)


@dataclass
class Database:
    """A throwaway login role and database on the machine's server, dropped at the end."""

    name: str
    password: str
    server: str = SERVER_URL

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.server, autocommit=True)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(self.name), sql.Literal(self.password)
                )
            )
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(*[sql.Identifier(self.name)] * 2))

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(self.name)))

    def scram_secret(self) -> str:
        """The role's SCRAM-SHA-256 verifier as PostgreSQL stores it (what PgBouncer's userlist holds:
        PgBouncer checks clients against it and, having done SCRAM with the client, can log in to a
        server that asks for SCRAM too, without ever knowing the password)."""
        with self._admin() as conn:
            row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [self.name]).fetchone()
        assert row and str(row[0]).startswith("SCRAM-SHA-256$"), row
        return str(row[0])

    @property
    def server_host(self) -> str:
        return urlsplit(self.server).hostname or "127.0.0.1"

    @property
    def server_port(self) -> int:
        return urlsplit(self.server).port or 5432

    def direct_url(self) -> str:
        return (
            f"postgres://{self.name}:{quote(self.password)}@{self.server_host}:{self.server_port}/{self.name}"
        )

    def url_via(self, port: int) -> str:
        return f"postgres://{self.name}:{quote(self.password)}@127.0.0.1:{port}/{self.name}"


def pgbouncer_start(work: Path, db: Database, *, mode: str, name: str = "pgbouncer") -> tuple[Proc, int]:
    """Debian's pgbouncer with deploy/pgbouncer/pgbouncer.ini's settings, on a free port."""
    port = free_port()
    conf_dir = work / name
    conf_dir.mkdir(mode=0o755)
    userlist = conf_dir / "userlist.txt"
    userlist.write_text(f'"{db.name}" "{db.scram_secret()}"\n')
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    ini.remove_section("databases")
    ini.add_section("databases")
    ini["databases"][db.name] = f"host={db.server_host} port={db.server_port} dbname={db.name}"
    ini["pgbouncer"].update(
        {"listen_addr": "127.0.0.1", "listen_port": str(port), "auth_file": str(userlist), "pool_mode": mode}
    )
    with (conf_dir / "pgbouncer.ini").open("w") as handle:
        ini.write(handle)
    for path in (conf_dir, userlist, conf_dir / "pgbouncer.ini"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by the unprivileged user below
    argv = [PGBOUNCER, str(conf_dir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        argv[1:1] = ["-u", "nobody"]  # PgBouncer refuses to run as root
    proc = start(name, argv, log_dir=work / "logs", env=dict(os.environ))
    proc.wait_port(port, timeout=30)
    return proc, port


def redis_start(work: Path) -> tuple[Proc, int]:
    port = free_port()
    argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = start("redis", argv, log_dir=work / "logs", env=dict(os.environ), cwd=work)
    proc.wait_port(port, timeout=30)
    return proc, port


def s3_start(work: Path, bucket: str) -> tuple[Proc, int]:
    """moto's S3 server (the dev dependency ``moto[server]``) with the bucket created."""
    import boto3

    port = free_port()
    proc = start(
        "s3",
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        log_dir=work / "logs",
        env={**os.environ, "AWS_ACCESS_KEY_ID": "stack", "AWS_SECRET_ACCESS_KEY": "stack-secret"},
    )
    proc.wait_port(port, timeout=60)
    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="stack",
        aws_secret_access_key="stack-secret",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return proc, port


@dataclass
class Stack:
    work: Path
    db: Database
    sms: FakeTencentSms
    redis_port: int
    s3_port: int
    bucket: str
    pgbouncer_port: int
    caddy_https: int = field(default_factory=free_port)
    caddy_http: int = field(default_factory=free_port)
    ca_file: Path = Path()
    replicas: dict[str, int] = field(default_factory=dict)  # name → gunicorn port
    procs: dict[str, Proc] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    fernet_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    started_at: float = field(default_factory=time.monotonic)
    timings: dict[str, float] = field(default_factory=dict)

    def mark(self, step: str) -> None:
        """Seconds since the stack started, per step (printed at the end of the session)."""
        self.timings[step] = round(time.monotonic() - self.started_at, 1)

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    def env(self, var_dir: Path | None = None, overrides: dict[str, str] | None = None) -> dict[str, str]:
        """The production environment every app process gets (a web replica, the worker, beat)."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "DATABASE_"))}
        var = var_dir or (self.work / "var-tools")
        env = {
            **keep,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "saas_platform.settings.production",
            "SECRET_KEY": self.secret_key,
            "BASE_DOMAIN": BASE_DOMAIN,
            "PORTAL_PORT": str(self.caddy_https),
            "DATABASE_URL": self.db.url_via(self.pgbouncer_port),
            "DB_CONN_MAX_AGE": "0",  # PgBouncer pools; a request returns its server connection
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "stack",
            "S3_SECRET_ACCESS_KEY": "stack-secret",
            "FIELD_ENCRYPTION_KEY": self.fernet_key,
            "SMS_BACKEND": "tencent",
            "TENCENT_SMS_ENDPOINT": self.sms.url,
            "TENCENT_SMS_SECRET_ID": self.sms.secret_id,
            "TENCENT_SMS_SECRET_KEY": self.sms.secret_key,
            "TENCENT_SMS_SDK_APP_ID": self.sms.sdk_app_id,
            "TENCENT_SMS_SIGN_NAME": self.sms.sign_names[0],
            "TENCENT_SMS_TEMPLATE_VERIFY_CODE": VERIFY_TEMPLATE,
            "SMS_DAILY_LIMIT_PER_IP": "4",  # small, so the per-client limit is reached in a test
            # The proof-of-work step near a cap has its own tests (integrations/tests/test_sms_challenge.py);
            # here the bare per-client count behind the proxy is what is measured.
            "SMS_CHALLENGE_FROM_PERCENT": "1000",
            # The hammer asks for the same machine hundreds of times from each client address.
            "ASSET_LOOKUP_PER_ADDRESS_HOURLY": "100000",
            "TRUSTED_PROXIES": f"{PROXY_ADDRESS}/32",
            "BAOXIU_VAR_DIR": str(var),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.work / "beat" / "celerybeat-schedule"),
            "TENANT_SPARE_POOL_SIZE": "1",
            "LOG_LEVEL": "INFO",
        }
        env.update(overrides or {})
        return env

    def manage(self, name: str, *args: str, timeout: float = 600, env: dict[str, str] | None = None) -> str:
        return run(
            name,
            [sys.executable, str(ROOT / "manage.py"), *args],
            log_dir=self.logs,
            env=self.env(overrides=env),
            cwd=self.work,
            timeout=timeout,
        )

    def query(self, schema: str, statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Read the database directly (not through PgBouncer), in one tenant's schema."""
        with psycopg.connect(self.db.direct_url()) as conn:
            conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(schema)))
            return list(conn.execute(statement, params or []).fetchall())

    def schema_of(self, host: str) -> str:
        rows = self.query(
            "public",
            "SELECT p.schema_name FROM tenants_domain d JOIN tenants_provider p ON p.id = d.tenant_id "
            "WHERE d.domain = %s",
            [host],
        )
        assert rows, f"no tenant for {host}"
        return str(rows[0][0])

    def failed_processes(self) -> str:
        return "\n".join(proc.describe() for proc in self.procs.values() if not proc.alive())

    def all_logs(self) -> str:
        return "\n".join(proc.describe() for proc in self.procs.values())


def gunicorn_start(
    stack: Stack, name: str, *, workers: int = 2, wait: bool = True, **env: str
) -> tuple[Proc, int]:
    """One web replica: its own working directory and var dir (static, local files), 2 workers."""
    port = free_port()
    home = stack.work / name
    (home / "var").mkdir(parents=True, exist_ok=True)
    static = stack.work / "static"
    if static.exists() and not (home / "var" / "static").exists():
        shutil.copytree(static, home / "var" / "static")  # what the image bakes in at build time
    argv = [
        str(BIN / "gunicorn"),
        "-c",
        "python:saas_platform.gunicorn_conf",
        "saas_platform.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    proc = start(name, argv, log_dir=stack.logs, env=stack.env(home / "var", env), cwd=home)
    stack.procs[name] = proc
    if wait:
        gunicorn_wait(proc, port, workers)
    return proc, port


def gunicorn_wait(proc: Proc, port: int, workers: int = 2) -> None:
    """Until the replica answers a routed request (the tenant routing's database and cache are up).
    The URL confs and templates are loaded before the workers fork (gunicorn_conf's preload and
    saas_platform.warm_up), so no worker's first request is slow; one ask per worker checks it."""
    proc.wait_port(port, timeout=120)
    proc.wait_http(port, "/healthz", timeout=120)
    ask = f"/internal/tls-ask?domain={BASE_DOMAIN}"
    warmers = [threading.Thread(target=proc.wait_http, args=(port, ask, 180)) for _ in range(workers)]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()


def celery_start(stack: Stack, name: str, *args: str, **env: str) -> Proc:
    home = stack.work / name
    (home / "var").mkdir(parents=True, exist_ok=True)
    argv = [str(BIN / "celery"), "-A", "saas_platform", *args, "--loglevel", "INFO"]
    proc = start(name, argv, log_dir=stack.logs, env=stack.env(home / "var", env), cwd=home)
    stack.procs[name] = proc
    return proc


def caddy_run(
    stack: Stack, name: str, upstreams: list[int], https_port: int, http_port: int
) -> tuple[Proc, Path]:
    """Debian's caddy running deploy/Caddyfile with the internal CA; returns it and its root CA."""
    home = stack.work / name
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "CADDY_ADMIN": "off",
        "CADDY_HTTP_PORT": str(http_port),
        "CADDY_HTTPS_PORT": str(https_port),
        "CADDY_BIND": "127.0.0.1",
        "CADDY_ISSUER": "internal",
        "BAOXIU_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in upstreams),
        "BAOXIU_TLS_ASK": f"http://127.0.0.1:{upstreams[0]}/internal/tls-ask",
    }
    argv = [CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"]
    proc = start(name, argv, log_dir=stack.logs, env=env, cwd=home)
    stack.procs[name] = proc
    proc.wait_port(https_port, timeout=60)
    # The internal CA is created at start; its root is the only trust anchor the clients use.
    ca_file = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 30
    while not ca_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ca_file.exists(), proc.describe()
    return proc, ca_file


def caddy_start(stack: Stack) -> Proc:
    proc, stack.ca_file = caddy_run(
        stack, "caddy", list(stack.replicas.values()), stack.caddy_https, stack.caddy_http
    )
    return proc


SEED = """
from django_tenants.utils import schema_context
from tenants.services import OwnerSpec, provider_provision
for name, sub, phone, machine in (("{a_name}", "{a}", "13900000001", "NO-{A}"),
                                  ("{b_name}", "{b}", "13900000002", "NO-{B}")):
    owner = OwnerSpec(phone=phone, password="secret-123")
    provider = provider_provision(name=name, subdomain=sub, owner=owner)
    with schema_context(provider.schema_name):
        from accounts.models import StaffMember
        from repair_forms.asset_services import AssetData, asset_create, catalog_path_get_or_create
        from repair_forms.lifecycle import Actor
        brand, category, model = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
        staff = Actor.for_staff(StaffMember.objects.get(is_owner=True))
        asset_create(actor=staff, data=AssetData(
            machine_no=machine, serials=["SN-STACK-SHARED"], brand=brand, category=category, model=model,
            location_building="A", location_room="101"))
"""
TENANTS = ("stacka", "stackb")


def stack_up(exits: ExitStack) -> Stack:
    """Start everything; every process and the database are torn down by ``exits`` (even on failure)."""
    work = Path(tempfile.mkdtemp(prefix="baoxiu-stack-"))
    work.chmod(0o755)
    (work / "logs").mkdir()
    (work / "beat").mkdir()
    exits.callback(shutil.rmtree, work, ignore_errors=True)

    db = Database(name=f"baoxiu_stack_{secrets.token_hex(4)}", password=secrets.token_urlsafe(18))
    db.create()
    exits.callback(db.drop)

    bouncer, bouncer_port = pgbouncer_start(work, db, mode="session")
    exits.callback(bouncer.stop)
    redis_proc, redis_port = redis_start(work)
    exits.callback(redis_proc.stop)
    bucket = "baoxiu-stack"
    s3_proc, s3_port = s3_start(work, bucket)
    exits.callback(s3_proc.stop)
    sms = FakeTencentSms()
    server = start_fake_sms(sms)
    exits.callback(server.shutdown)

    stack = Stack(
        work=work,
        db=db,
        sms=sms,
        redis_port=redis_port,
        s3_port=s3_port,
        bucket=bucket,
        pgbouncer_port=bouncer_port,
    )
    stack.procs.update({"pgbouncer": bouncer, "redis": redis_proc, "s3": s3_proc})
    exits.callback(_stop_app_processes, stack)

    # Migrations run through PgBouncer, as the migrate Job does; static files are collected once
    # (the image does it at build time) and copied into each replica's var dir.
    collect = start(
        "collectstatic",
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput"],
        log_dir=stack.logs,
        env=stack.env(var_dir=work / "collect"),
        cwd=work,
    )
    stack.mark("services")
    stack.manage("migrate", "migrate_schemas", "--noinput", timeout=900)
    stack.mark("migrated")
    assert collect.popen is not None
    if collect.popen.wait(timeout=600) != 0:
        raise RuntimeError(collect.describe())
    shutil.move(str(work / "collect" / "static"), str(work / "static"))
    # The replicas, the worker and beat boot while the two tenants are made.
    for name in ("r1", "r2"):
        _proc, port = gunicorn_start(stack, name, wait=False)
        stack.replicas[name] = port
    celery_start(stack, "worker", "worker", "--concurrency", "2", "--hostname", "stack-worker@%h")
    celery_start(stack, "beat", "beat")
    seed = SEED.format(a="stacka", b="stackb", A="A", B="B", a_name="栈测试服务甲", b_name="栈测试服务乙")
    stack.manage("seed", "shell", "-c", seed)
    stack.mark("seeded")
    for name, port in stack.replicas.items():
        gunicorn_wait(stack.procs[name], port)
    stack.mark("replicas")
    caddy_start(stack)
    stack.mark("caddy")
    return stack


def _stop_app_processes(stack: Stack) -> None:
    stop_all([proc for name, proc in stack.procs.items() if name not in {"pgbouncer", "redis", "s3"}])
