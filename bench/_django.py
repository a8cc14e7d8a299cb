"""Bootstrap Django for a benchmark against its own database (never the dev or test one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str) -> None:
    """Point Django at ``database`` on the server of DATABASE_URL (or the embedded one) and set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.base")
    os.environ["TENANT_SPARE_POOL_SIZE"] = "0"  # benchmarks fill the pool themselves
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.conf import settings

    django.setup()
    default = settings.DATABASES["default"]
    _create_database(default, database)
    default["NAME"] = database
    from django.db import connections

    connections.close_all()


def _create_database(default: dict[str, Any], name: str) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = {
        "dbname": default["NAME"] or "postgres",
        "user": default.get("USER") or "postgres",
        "host": default.get("HOST") or None,
        "port": default.get("PORT") or None,
    }
    conninfo = make_conninfo("", **{k: str(v) for k, v in params.items() if v})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def git_rev() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
