"""A real browser (Debian's chromium, driven by Playwright) signs a provider up on the public site and
lands signed in on the new provider's console.

It runs against a real server process and a throwaway database, never pytest-django's live server:
that would flush tables between tests, including the public schema the session's tenants live in.
The fixture creates the database, migrates it with ``migrate_schemas``, serves it with
``runserver --noreload`` on a free loopback port with ``BASE_DOMAIN=localhost`` (Chromium resolves
``*.localhost`` to 127.0.0.1), and drops the database afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class Site:
    port: int
    conninfo: str
    log: Path

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def last_code(self, phone: str) -> str:
        with psycopg.connect(self.conninfo) as conn:
            row = conn.execute(
                "SELECT text FROM saas_platform_smsmessage WHERE phone = %s ORDER BY id DESC LIMIT 1", [phone]
            ).fetchone()
        assert row, f"no SMS to {phone} in the log"
        match = re.search(r"\d{6}", row[0])
        assert match, row[0]
        return match.group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_params() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        "host": str(db.get("HOST") or "127.0.0.1"),
        "port": str(db.get("PORT") or "5432"),
        "user": str(db.get("USER") or "postgres"),
        "password": str(db.get("PASSWORD") or ""),
    }


def _url(params: dict[str, str], name: str) -> str:
    auth = quote(params["user"], safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    return f"postgres://{auth}@{quote(params['host'], safe='')}:{params['port']}/{name}"


def _admin(params: dict[str, str], statement: sql.Composed) -> None:
    with psycopg.connect(
        dbname="postgres",
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params["password"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    params = _server_params()
    name = f"baoxiu_browser_{secrets.token_hex(4)}"
    _admin(params, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="baoxiu-browser-", suffix=".log")[1])
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="saas_platform.settings.base",
        DATABASE_URL=_url(params, name),
        BASE_DOMAIN="localhost",
        PORTAL_SCHEME="http",
        PORTAL_PORT=str(port),
        SMS_BACKEND="dev",
        TENANT_SPARE_POOL_SIZE="0",
        DEBUG="true",
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        with log.open("w") as out:
            subprocess.run(  # noqa: S603
                [*manage, "migrate_schemas", "--noinput"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
                check=True,
                timeout=900,
            )
            server = subprocess.Popen(  # noqa: S603
                [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + _tail(log))
            time.sleep(0.3)
        yield Site(port=port, conninfo=_url(params, name).replace("postgres://", "postgresql://", 1), log=log)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        _admin(params, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        log.unlink(missing_ok=True)


def test_a_provider_signs_up_in_chromium_and_lands_on_its_console(site: Site) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does: apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(site.url("localhost", "/"))
            page.click("text=服务商入驻 >> nth=0")
            page.wait_for_url(site.url("localhost", "/signup/"))

            page.fill("#id_phone", "139 1234 5678")
            page.click("button[data-send-code]")
            page.wait_for_selector("[data-send-code-status].ok")
            code = site.last_code("+8613912345678")

            page.fill("#id_code", code)
            page.fill("#id_name", "浏览器测试售后服务中心")
            page.fill("#id_subdomain", "admin")
            page.wait_for_selector("#subdomain-status[data-reason=reserved]")
            page.fill("#id_subdomain", "browser-test")
            page.wait_for_selector("#subdomain-status.ok")
            page.fill("#id_password", "secret-123")
            page.fill("#id_password_confirm", "secret-123")
            page.click("form[data-signup] button.primary")

            page.wait_for_url(site.url("browser-test.localhost", "/console/"), timeout=30000)
            body = page.content()
            assert "浏览器测试售后服务中心" in body
            assert "工作台" in body
        except Exception:
            print(_tail(site.log))
            raise
        finally:
            browser.close()
