"""The fault stack's WSGI app: the real one (``saas_platform.wsgi``) plus one test-only fault point.

A request sent with ``X-Fault-Park-After-Commit: 1`` is parked right after the transaction that
inserted its repair order commits — before anything else the request does (building the answer,
the on-commit callbacks, the middleware). It parks on a side connection of its own, waiting for
the advisory lock ``PARK_LOCK`` that the test holds, so the test sees it parked in
``pg_stat_activity`` (application name ``PARK_APPLICATION``). The test then stops PostgreSQL: that
ends the wait, and the request goes on with a connection the restart has cut, exactly as if the
database had died between the commit and the answer. Code that queries after its commit fails
there; code that built its answer inside the transaction answers.

Nothing here changes what the app does; without the header it is the app as deployed. Gunicorn
serves ``tests.faults.wsgi:application``, which calls ``wrap`` on the real app; the test process
imports only the names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PARK_HEADER = "HTTP_X_FAULT_PARK_AFTER_COMMIT"
PARK_LOCK = 1_100_411
PARK_APPLICATION = "fault-park"
ORDER_INSERT = 'INSERT INTO "repair_forms_repairorder"'

_request = threading.local()


def _park() -> None:
    """Wait on the test's advisory lock from a side connection until PostgreSQL goes away."""
    db: dict[str, Any] = connection.settings_dict
    try:
        with psycopg.connect(
            dbname=db["NAME"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            application_name=PARK_APPLICATION,
            autocommit=True,
        ) as side:
            side.execute("SELECT pg_advisory_lock(%s)", (PARK_LOCK,))
            side.execute("SELECT pg_advisory_unlock(%s)", (PARK_LOCK,))
    except psycopg.Error:
        return  # the database went away: the fault the test wanted


def _spy(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
    if ORDER_INSERT in str(sql):
        _request.inserted_order = True
    return execute(sql, params, many, context)


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` with the fault point (see module docstring)."""
    commit = BaseDatabaseWrapper.commit

    def commit_then_park(self: BaseDatabaseWrapper) -> None:
        commit(self)
        if getattr(_request, "armed", False) and getattr(_request, "inserted_order", False):
            _request.armed = False
            _park()

    BaseDatabaseWrapper.commit = commit_then_park  # type: ignore[method-assign]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _request.armed = environ.get(PARK_HEADER) == "1"
        _request.inserted_order = False
        try:
            with connection.execute_wrapper(_spy):
                return app(environ, start_response)
        finally:
            _request.armed = False

    return application
