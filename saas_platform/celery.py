"""The Celery app. Tenant-aware: a task sent while a tenant's schema is active runs in that schema
(tenant-schemas-celery carries the schema in the message headers)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings.base")

app = CeleryApp("baoxiu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
