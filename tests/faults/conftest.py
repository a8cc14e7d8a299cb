"""The fault-injection stack: production topology as processes, each of them ours to break.

- our own PostgreSQL cluster (Debian's initdb/pg_ctl, data in a temporary dir, a free port), loaded
  with a ``pg_dump`` of this session's migrated test database (tenants A and B included) — restoring
  takes seconds where migrating would take minutes;
- two redis-servers: the cache and the Celery broker, so either can be down alone;
- the app under gunicorn (2 workers, as production), a Celery worker when a test asks for one;
- a loopback Tencent Cloud SMS fake (``integrations/tests/fake_tencent_sms.py``) that counts every
  message it accepts.

Every process is started and stopped here (``tests/servers.py``); nothing touches the shared servers
except the one ``pg_dump`` read.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings

from integrations.tests.fake_tencent_sms import FakeTencentSms
from integrations.tests.fake_tencent_sms import start as start_fake_sms
from tests.faults.faultpoint import PARK_APPLICATION, PARK_LOCK
from tests.faults.shell import REPLY as SHELL_REPLY
from tests.servers import (
    PG_BIN,
    ROOT,
    PostgresCluster,
    RedisServer,
    answers_ok,
    app_env,
    create_database,
    free_port,
    tail,
    wait_for,
)

CSRF = "faultsfaultsfaultsfaultsfaults32"
SUBMIT_PATH = "/api/v1/portal/orders/"
# The fault point's request header (tests/faults/faultpoint.py): park after the order commits.
PARK_AFTER_COMMIT = {"X-Fault-Park-After-Commit": "1"}
ORDER_NOTICE_TEMPLATE = "2220"


class GatedSms(FakeTencentSms):
    """The SMS fake, able to hold the n-th request (``gate_at``) unanswered and unrecorded — the
    moment a test kills the sender or the database — and, when released, either to drop it as if
    it never arrived (``deliver_held`` False) or to deliver and answer it, after the fault."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate_at = 0
        self.deliver_held = False
        self.held_message: list[tuple[str, tuple[str, ...]]] = []  # (phone, parameters) held first
        self.arrived = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.count_lock = threading.Lock()

    def hold_next(self, *, deliver: bool) -> None:
        """Hold the next request that arrives (see class docstring)."""
        self.held.clear()
        self.release.clear()
        self.deliver_held = deliver
        self.gate_at = self.arrived + 1

    def open_gate(self) -> None:
        self.gate_at = 0
        self.release.set()  # a held request decided at arrival whether it is delivered
        self.deliver_held = False

    def handle(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        with self.count_lock:
            self.arrived += 1
            number = self.arrived
        if self.gate_at and number >= self.gate_at:
            deliver = self.deliver_held
            if not self.held.is_set():
                sent = json.loads(body)
                self.held_message = [(p, tuple(sent["TemplateParamSet"])) for p in sent["PhoneNumberSet"]]
            self.held.set()
            self.release.wait(timeout=60)
            if not deliver:
                raise ConnectionAbortedError("dropped: the sender was killed")
        return super().handle(headers, body)


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Stack:
    pg: PostgresCluster
    cache: RedisServer
    broker: RedisServer
    db_url: str
    env: dict[str, str]
    log: Path
    sms: GatedSms
    seed: dict[str, Any] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    shell: subprocess.Popen[str] | None = None
    shell_replies: queue.Queue[dict[str, str]] = field(default_factory=queue.Queue)
    shell_lock: threading.Lock = field(default_factory=threading.Lock)

    # --- processes -------------------------------------------------------------------------------
    def start_web(self, *, wait: bool = True) -> None:
        with self.log.open("a") as out:
            self.web = subprocess.Popen(  # noqa: S603
                [
                    sys.executable, "-m", "gunicorn", "tests.faults.wsgi:application",
                    "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4",
                    "--timeout", "60", "--graceful-timeout", "2",
                ],
                cwd=ROOT, env=self.env, stdout=out, stderr=out,
            )  # fmt: skip
        if wait:
            self.wait_web()

    def wait_web(self) -> None:
        assert self.web is not None
        deadline = time.monotonic() + 90
        while not answers_ok(f"http://127.0.0.1:{self.port}/healthz", "baoxiu.test"):
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + tail(self.log))
            time.sleep(0.2)

    def stop_web(self) -> None:
        _stop(self.web)
        self.web = None

    def start_worker(self) -> None:
        with self.log.open("a") as out:
            self.worker = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool", "solo",
                 "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip

    def kill_worker(self) -> None:
        """SIGKILL, as an out-of-memory killer or a lost node would: nothing gets to clean up."""
        if self.worker is not None:
            self.worker.kill()
            self.worker.wait(timeout=10)
            self.worker = None

    def stop_worker(self) -> None:
        _stop(self.worker)
        self.worker = None

    def start_shell(self) -> None:
        """The stack's Django shell (``tests/faults/shell.py``), booting in the background."""
        self.shell = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.faults.shell"],
            cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log.open("a"), text=True, bufsize=1,
        )  # fmt: skip
        replies: queue.Queue[dict[str, str]] = queue.Queue()
        self.shell_replies = replies

        def read(stdout: Any) -> None:
            with self.log.open("a") as log:
                for line in stdout:
                    if line.startswith(SHELL_REPLY):
                        replies.put(json.loads(line.removeprefix(SHELL_REPLY)))
                    else:
                        log.write(line)

        threading.Thread(target=read, args=(self.shell.stdout,), daemon=True).start()

    def stop_shell(self) -> None:
        if self.shell is not None and self.shell.poll() is None:
            assert self.shell.stdin is not None
            with suppress(OSError):
                self.shell.stdin.close()
            _stop(self.shell)
        self.shell = None

    def run(self, code: str, *, timeout: float = 300) -> Any:
        """Run ``code`` (which prints JSON last) in the stack's Django shell; its answer."""
        with self.shell_lock:
            if self.shell is None or self.shell.poll() is not None:
                self.start_shell()
            assert self.shell is not None and self.shell.stdin is not None
            self.shell.stdin.write(json.dumps({"code": "django.setup()\n" + code}) + "\n")
            self.shell.stdin.flush()
            try:
                reply = self.shell_replies.get(timeout=timeout)
            except queue.Empty:
                self.stop_shell()
                raise RuntimeError("stack script timed out:\n" + tail(self.log)) from None
        if "error" in reply:
            raise RuntimeError(f"stack script failed:\n{reply['out'][-3000:]}\n{reply['error'][-5000:]}")
        return json.loads(reply["out"].strip().splitlines()[-1])

    # --- HTTP ------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        host: str | None = None,
        body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        signed_in: bool = True,
        timeout: float = 90,
    ) -> Response:
        data, sent_headers = self._message(method, host, body, form, headers, signed_in)
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, headers=sent_headers, method=method
        )
        started = time.monotonic()
        try:
            with _no_redirects.open(request, timeout=timeout) as answer:
                return Response(
                    answer.status, answer.read(), time.monotonic() - started, dict(answer.headers)
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), time.monotonic() - started, dict(error.headers))

    def _message(
        self,
        method: str,
        host: str | None,
        body: Any,
        form: dict[str, str] | None,
        headers: dict[str, str] | None,
        signed_in: bool,
    ) -> tuple[bytes | None, dict[str, str]]:
        sent_headers = {"Host": host or self.seed["host"], "Accept-Language": "zh-hans"}
        cookies = [f"csrftoken={CSRF}"]
        if signed_in and self.seed.get("session"):
            cookies.append(f"sessionid={self.seed['session']}")
        sent_headers["Cookie"] = "; ".join(cookies)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent_headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode({"csrfmiddlewaretoken": CSRF, **form}).encode()
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET":
            sent_headers["X-CSRFToken"] = CSRF
        sent_headers.update(headers or {})
        return data, sent_headers

    def submit(self, *, headers: dict[str, str] | None = None, text: str = "打印机不出纸") -> Response:
        return self.request("POST", SUBMIT_PATH, body=self.submit_body(text), headers=headers)

    def submit_body(self, text: str) -> dict[str, Any]:
        return {
            "values": {"machine": self.seed["machine"], "fault_description": text, "service_type": "repair"}
        }

    def submit_and_leave(self, *, text: str, headers: dict[str, str]) -> http.client.HTTPConnection:
        """Send a submit and never read the answer: the customer's phone lost its signal. Close the
        returned connection to hang up."""
        data, sent_headers = self._message("POST", None, self.submit_body(text), None, headers, True)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("POST", SUBMIT_PATH, body=data, headers=sent_headers)
        return conn

    @contextmanager
    def parking(self) -> Iterator[Callable[[], int]]:
        """Hold the advisory lock that requests sent with ``PARK_AFTER_COMMIT`` wait on once their
        order has committed (``tests/faults/faultpoint.py``); yields how many wait on it now. Stopping
        PostgreSQL ends the wait (and this connection)."""
        conn = psycopg.connect(self.db_url.replace("postgres://", "postgresql://", 1), autocommit=True)
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (PARK_LOCK,))

            def parked() -> int:
                return int(
                    self.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                        "AND wait_event_type = 'Lock'",
                        (PARK_APPLICATION,),
                    )[0][0]
                )

            yield parked
        finally:
            with suppress(psycopg.Error):
                conn.close()

    # --- the database ----------------------------------------------------------------------------
    def query(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.db_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            return list(conn.execute(statement, params).fetchall())

    def wait(self, check: Callable[[], bool], *, timeout: float, what: str) -> None:
        wait_for(check, timeout=timeout, what=what, interval=0.2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_no_redirects = urllib.request.build_opener(_NoRedirect)


def _stop(process: subprocess.Popen[Any] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _copy_test_database(target_url: str) -> None:
    """This session's migrated test database (committed state: migrations, tenants A and B) into ours.

    The session's database may be the embedded pgserver (PostgreSQL 16, on a socket; `make test`
    without DATABASE_URL, as in CI) while our cluster is Debian's: the dump is made by the session
    server's own pg_dump, as plain SQL, which Debian's psql restores whatever the two versions."""
    db: dict[str, Any] = settings.DATABASES["default"]
    options: dict[str, Any] = db.get("OPTIONS") or {}
    host = str(db.get("HOST") or options.get("host") or "127.0.0.1")
    pg_dump = PG_BIN / "pg_dump"
    if getattr(settings, "EMBEDDED_DATABASE", False):
        import pgserver

        pg_dump = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin" / "pg_dump"
    dump = subprocess.Popen(  # noqa: S603
        [
            str(pg_dump), "--format=plain", "--no-owner", "--no-privileges",
            "-h", host, "-p", str(db.get("PORT") or "5432"),
            "-U", str(db.get("USER") or "postgres"), str(db["NAME"]),
        ],
        stdout=subprocess.PIPE,
        env={"PGPASSWORD": str(db.get("PASSWORD") or ""), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    restored = subprocess.run(  # noqa: S603
        [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", target_url],
        stdin=dump.stdout,
        capture_output=True,
        check=False,
        env={**os.environ, "PGOPTIONS": "-c synchronous_commit=off"},  # one commit
    )
    assert dump.wait(timeout=300) == 0, "pg_dump of the test database failed"
    assert restored.returncode == 0, restored.stderr.decode()[-3000:]


@pytest.fixture(scope="session")
def stack(django_db_setup: Any) -> Iterator[Stack]:
    log = Path(tempfile.mkstemp(prefix="baoxiu-faults-", suffix=".log")[1])
    pg = PostgresCluster().init()
    pg.start()
    cache = RedisServer().start()
    broker = RedisServer().start()
    sms = GatedSms(templates={"1110": 2, ORDER_NOTICE_TEMPLATE: 4}, daily_limit_per_phone=100_000)
    sms_server = start_fake_sms(sms)
    try:
        db_url = create_database(pg.params(), "baoxiu")
        env = app_env(
            DJANGO_SETTINGS_MODULE="saas_platform.settings.base",
            DATABASE_URL=db_url,
            DB_CONN_MAX_AGE="0",
            REDIS_URL=cache.url,
            CELERY_BROKER_URL=broker.url,
            BASE_DOMAIN="baoxiu.test",
            DEBUG="false",
            TENANT_SPARE_POOL_SIZE="1",
            NOTIFY_LEASE_SECONDS="3",
            SMS_BACKEND="tencent",
            TENCENT_SMS_ENDPOINT=sms.url,
            TENCENT_SMS_SECRET_ID=sms.secret_id,
            TENCENT_SMS_SECRET_KEY=sms.secret_key,
            TENCENT_SMS_SDK_APP_ID=sms.sdk_app_id,
            TENCENT_SMS_SIGN_NAME=sms.sign_names[0],
            TENCENT_SMS_TIMEOUT_SECONDS="30",  # a notice may be held at the fake across a restart
            TENCENT_SMS_TEMPLATE_VERIFY_CODE="1110",
            TENCENT_SMS_TEMPLATE_ORDER_NOTICE=ORDER_NOTICE_TEMPLATE,
            TENCENT_SMS_TEMPLATE_ORDER_NOTICE_EN=ORDER_NOTICE_TEMPLATE,
        )
        stack = Stack(pg=pg, cache=cache, broker=broker, db_url=db_url, env=env, log=log, sms=sms)
        # gunicorn and the shell boot (seconds of imports) while the database is restored.
        stack.start_web(wait=False)
        stack.start_shell()
        _copy_test_database(db_url)
        stack.seed = stack.run("from tests.faults.seed import main\nmain()")
        stack.wait_web()
        yield stack
    finally:
        if "stack" in locals():
            stops = [
                threading.Thread(target=stop)
                for stop in (stack.stop_web, stack.stop_worker, stack.stop_shell)
            ]
            for thread in stops:
                thread.start()
            for thread in stops:
                thread.join()
        sms_server.shutdown()
        cache.stop()
        broker.stop()
        pg.destroy()
        if log.exists() and log.stat().st_size < 50_000_000:
            print("fault stack log tail:\n" + tail(log))
        log.unlink(missing_ok=True)


@pytest.fixture
def up(stack: Stack) -> Iterator[Stack]:
    """The stack with every server running before and after the test."""
    _ensure_up(stack)
    yield stack
    _ensure_up(stack)


def _ensure_up(stack: Stack) -> None:
    if stack.cache.process is None:
        stack.cache.start()
    if stack.broker.process is None:
        stack.broker.start()
    stack.sms.open_gate()
    if stack.web is None or stack.web.poll() is not None:
        stack.start_web()
