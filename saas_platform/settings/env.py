"""The one place that reads the process environment.

Every setting that comes from outside goes through here so a bad value fails at start with the
variable's name (like healthchecks' ``envbool``/``envint``). ``NAME_FILE`` may point at a file that
holds the value (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()

_UNSET = object()


def _raw(name: str) -> str | None:
    file_var = f"{name}_FILE"
    if os.environ.get(file_var):
        path = Path(os.environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_var}: cannot read {path}: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value


def env_str(name: str, default: object = _UNSET) -> str:
    value = _raw(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default  # type: ignore[return-value]
    return value


def env_optional(name: str) -> str | None:
    return _raw(name)


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_db(name: str) -> dict[str, object] | None:
    value = _raw(name)
    if value is None:
        return None
    return env_db_url(name, value)


def env_db_url(name: str, value: str) -> dict[str, object]:
    try:
        config = _env.db_url_config(value)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
    if config.get("ENGINE") not in {"django.db.backends.postgresql", "django_tenants.postgresql_backend"}:
        raise ImproperlyConfigured(
            f"{name} must point at PostgreSQL (postgres://...); Baoxiu runs on nothing else."
        )
    return dict(config)
