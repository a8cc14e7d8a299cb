"""Load, before a web worker takes its first request, what Django otherwise loads during it.

A fresh gunicorn worker's first routed request imported both URL confs (every view module, DRF,
drf-spectacular, the integrations) and compiled the templates it rendered: 4–7 s on this 2-core box
at load 8, about 12 s under the stack test's load, against 20–60 ms for the next request. Caddy's TLS
ask times out after 10 s and a worker is replaced every ``max_requests`` requests, so that first
request was paid again and again.

``saas_platform/gunicorn_conf.py`` loads the app in the arbiter (``preload_app``) and calls
:func:`warm_up` there once, before any worker is forked: every worker, including the ones that
replace recycled workers, starts with the URL resolvers populated, the translation catalogs loaded
and the project's templates compiled (the cached template loader keeps them), and shares those
pages with the arbiter copy-on-write. No database or cache connection is opened; any that an import
opened is closed, so no socket is shared across the fork.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import translation

TEMPLATE_SUFFIXES = (".html", ".txt")


def _project_template_names() -> list[str]:
    """Template names under this project's own template directories (not third-party apps')."""
    root = Path(settings.BASE_DIR).resolve()
    configured: list[dict[str, Any]] = list(settings.TEMPLATES)
    folders = [Path(folder) for engine in configured for folder in engine.get("DIRS") or []]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
    ]
    names: set[str] = set()
    for folder in folders:
        if folder.is_dir():
            names.update(
                path.relative_to(folder).as_posix()
                for path in folder.rglob("*")
                if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
            )
    return sorted(names)


def warm_up() -> dict[str, float]:
    """Populate the URL resolvers, load every language's catalog, compile the project's templates.
    Returns the seconds each step took (logged by the caller)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for urlconf in dict.fromkeys([settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)]):
        if urlconf:
            for code, _name in settings.LANGUAGES:  # reverse() keeps one table per language
                with translation.override(code):
                    len(get_resolver(urlconf).reverse_dict)
    timings["urls"] = time.perf_counter() - started

    started = time.perf_counter()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sign in")
    timings["translations"] = time.perf_counter() - started

    started = time.perf_counter()
    names = _project_template_names()
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):
            for name in names:
                engine.get_template(name)
    timings["templates"] = time.perf_counter() - started
    timings["template_count"] = float(len(names))

    connections.close_all()
    return timings
