"""The Celery app. Tenant-aware: a task sent while a tenant's schema is active runs in that schema
(tenant-schemas-celery carries the schema in the message headers)."""

from __future__ import annotations

import logging
import os

from celery.signals import beat_init
from django_structlog.celery.steps import DjangoStructLogInitStep
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.base")

app = CeleryApp("baoxiu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers bind the enqueuing request's log context (request id, tenant, user) to each task.
app.steps["worker"].add(DjangoStructLogInitStep)


@beat_init.connect
def _beat_started(sender: object = None, **kwargs: object) -> None:
    """Record a heartbeat as beat starts, so readiness does not wait a whole interval for the first
    scheduled one; the file beat writes must be writable, which this also proves by then."""
    from saas_platform.health import beat_heartbeat_record

    try:
        beat_heartbeat_record()
    except Exception:  # the cache may still be starting; the scheduled heartbeat follows
        logging.getLogger(__name__).warning("beat: could not record the start heartbeat", exc_info=True)
