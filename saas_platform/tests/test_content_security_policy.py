"""Every page carries a Content-Security-Policy that lets no injected script run: scripts only from
the app itself (or with the request's nonce), no inline event handlers in any template, and the
language cookie is Secure in production."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.actors import client_for, host_of, public_host

ROOT = Path(__file__).resolve().parents[2]


def _script_src(response: Any) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))


@pytest.mark.parametrize("path", ["/", "/login/", "/signup/", "/pricing/", "/operator/login/"])
def test_public_pages_allow_only_the_apps_own_scripts(actors: Any, path: str) -> None:
    response = Client(HTTP_HOST=public_host()).get(path)
    assert response.status_code == 200
    assert _script_src(response) == "script-src 'self'"
    assert "object-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/login/", "/console/login/", "/api/docs/"])
def test_provider_pages_allow_only_the_apps_own_scripts(actors: Any, path: str) -> None:
    response = Client(HTTP_HOST=host_of(actors.tenant_a)).get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _script_src(response)
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_the_console_carries_the_policy_for_signed_in_staff(actors: Any) -> None:
    response = client_for(actors.tenant_a, actors.owner_a).get("/console/")
    assert _script_src(response) == "script-src 'self'"


def test_no_template_has_an_inline_event_handler_or_an_unnonced_inline_script() -> None:
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    inline_script = re.compile(r"<script(?![^>]*\b(src|nonce)=)[^>]*>", re.IGNORECASE)
    found = []
    for template in ROOT.glob("*/**/templates/**/*.html"):
        if template.parts[len(ROOT.parts)] in {".venv", "var", "node_modules"}:
            continue  # installed packages and build caches (e.g. the image test's layers), not ours
        text = template.read_text(encoding="utf-8")
        if handler.search(text) or inline_script.search(text.replace('type="application/json"', "src")):
            found.append(str(template.relative_to(ROOT)))
    assert found == []


def test_the_language_cookie_is_secure_in_production() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "BASE_DOMAIN", "DEBUG"}}
    env.update(
        SECRET_KEY="k" * 60,
        BASE_DOMAIN="baoxiu.example",
        DJANGO_SETTINGS_MODULE="saas_platform.settings.production",
    )
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.LANGUAGE_COOKIE_SECURE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
