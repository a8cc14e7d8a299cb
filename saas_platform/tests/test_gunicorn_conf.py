"""gunicorn's production config starts with TRUSTED_PROXIES given as networks (CIDRs), as deploy/
documents them. gunicorn 23 takes single addresses only for its forwarded_allow_ips, so deriving that
from TRUSTED_PROXIES stopped the web server at start on a deploy that names its proxies by network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def check_config(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update(overrides)
    return subprocess.run(  # noqa: S603 (the venv's gunicorn)
        [str(GUNICORN), "--check-config", "-c", "python:saas_platform.gunicorn_conf", "saas_platform.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_gunicorn_starts_when_the_trusted_proxies_are_networks() -> None:
    result = check_config(TRUSTED_PROXIES="10.0.0.0/8,fd00::/8")
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_network_in_gunicorns_own_trust_list_still_stops_it() -> None:
    """What the old derivation handed gunicorn: the reason it must not see TRUSTED_PROXIES."""
    result = check_config(GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.0/8")
    assert result.returncode != 0
    assert "10.0.0.0/8" in result.stderr


def test_the_warm_up_loads_what_a_first_request_would_and_leaves_no_connection_open() -> None:
    """What the arbiter does once before forking: afterwards the tenant and public URL confs are
    resolved, the project's templates are compiled in the cached loader, and no database connection
    is open (a socket opened before fork would be shared by every worker)."""
    script = (
        "import sys, django; django.setup();"
        "from django.db import connection; from django.template import engines;"
        "from saas_platform.warm_up import warm_up;"
        "assert 'portals.console.urls' not in sys.modules;"
        "timings = warm_up();"
        "loader = engines['django'].engine.template_loaders[0];"
        "print(int(timings['template_count']), len(loader.get_template_cache),"
        " 'portals.console.urls' in sys.modules, 'saas_platform.urls_public' in sys.modules,"
        " connection.connection is None)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    templates, cached, tenant_urls, public_urls, closed = result.stdout.split()[-5:]
    assert int(templates) > 100 and int(cached) >= int(templates)
    assert (tenant_urls, public_urls, closed) == ("True", "True", "True")
