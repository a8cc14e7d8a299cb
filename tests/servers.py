"""Throwaway servers for tests that need real processes: a free loopback port, our own redis-server,
our own PostgreSQL cluster, a database made and migrated for a served app, and waiting for an HTTP
answer. Shared by the broker-outage test, the browser tests and the fault-injection suite
(``tests/faults``), so each of them starts and stops processes the same way.

Only Debian's programs are used (``make test`` installs redis-server when missing; PostgreSQL's
``initdb``/``pg_ctl`` come with the postgresql package), never downloaded builds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = next(
    (p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True) if (p / "initdb").exists()),
    Path("/usr/lib/postgresql/15/bin"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(interval)


def tail(path: Path, size: int = 4000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""


@dataclass
class RedisServer:
    """Our own redis-server on a loopback port (no persistence); stop() and start() again at will."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        import redis

        self.process = subprocess.Popen(  # noqa: S603 (our own throwaway server on a free loopback port)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, db=0)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres system user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PostgresCluster:
    """Our own PostgreSQL (Debian's initdb/pg_ctl) on a loopback port, data in a temporary dir."""

    port: int = field(default_factory=free_port)
    data_dir: Path | None = None

    def init(self) -> PostgresCluster:
        base = Path(tempfile.mkdtemp(prefix="baoxiu-pg-"))
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
        self.data_dir = base / "data"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        return self

    def start(self) -> None:
        assert self.data_dir is not None
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data_dir} -c fsync=off -c max_connections=200"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-o",
                    options,
                    "-w",
                    "-l",
                    str(self.data_dir / "log"),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast", *, check: bool = True) -> None:
        assert self.data_dir is not None
        subprocess.run(  # noqa: S603
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"]),
            check=check,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop("immediate", check=False)
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def params(self) -> dict[str, str]:
        return {"host": "127.0.0.1", "port": str(self.port), "user": "postgres", "password": ""}


def database_url(params: dict[str, str], name: str) -> str:
    auth = quote(params["user"], safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    return f"postgres://{auth}@{quote(params['host'], safe='')}:{params['port']}/{name}"


def admin_sql(params: dict[str, str], statement: sql.Composed) -> None:
    with psycopg.connect(
        dbname="postgres",
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params["password"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def create_database(params: dict[str, str], name: str) -> str:
    admin_sql(params, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(params, name)


def drop_database(params: dict[str, str], name: str) -> None:
    admin_sql(params, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def app_env(**values: str) -> dict[str, str]:
    """The environment of a served app: ours without Django/Redis settings, plus ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_URL", "CELERY_", "DATABASE_URL", "BAOXIU_TEST_DB"))
    }
    env.update(PYTHONUNBUFFERED="1", **values)
    return env


def manage(args: list[str], *, env: dict[str, str], log: Path, timeout: float = 900) -> None:
    with log.open("a") as out:
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            check=True,
            timeout=timeout,
        )


def answers_ok(url: str, host: str) -> bool:
    try:
        request = urllib.request.Request(url, headers={"Host": host})
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (loopback)
            return bool(response.status == 200)
    except OSError:
        return False


def wait_served(process: subprocess.Popen[Any], url: str, host: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not answers_ok(url, host):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start:\n" + tail(log))
        time.sleep(0.3)
