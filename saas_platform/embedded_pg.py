"""Embedded PostgreSQL for a laptop with no database server.

When ``DATABASE_URL`` is unset, settings call :func:`embedded_database_url`, which starts (or
reuses) a real PostgreSQL 16 from the ``pgserver`` package with its data under ``var/pg``. The
server is left running on purpose (``cleanup_mode=None``): the web process, the test run and
management commands all share it, and ``make stop-db`` stops it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(data_dir, cleanup_mode=None)
    uri: str = server.get_uri()
    logger.debug("embedded PostgreSQL at %s", uri)
    return uri


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server (``make stop-db``); False when it was not running."""
    import os

    import pgserver

    pg_ctl = pgserver.pg_ctl  # type: ignore[attr-defined]  # made at import time, one per binary
    if not (data_dir / "postmaster.pid").exists():
        return False
    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs postgres as this user under root
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    return True
