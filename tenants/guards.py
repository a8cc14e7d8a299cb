"""Fail loudly when a tenant-schema model is used while the public schema is active.

With schema-per-tenant, such a query would not leak data — the table does not exist in ``public`` —
but it fails late with a confusing "relation does not exist", or worse, hits a same-named table.
The router is consulted for every queryset and save, so it is the one choke point (like Sentry's
silo guards on its model base class).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection


class PublicSchemaAccessError(RuntimeError):
    """A tenant-only model was used with no tenant active."""


@cache
def tenant_only_app_labels() -> frozenset[str]:
    shared = set(settings.SHARED_APPS)
    labels = set()
    for app_name in settings.TENANT_APPS:
        if app_name in shared:
            continue
        labels.add(apps.get_app_config(app_name.rsplit(".", 1)[-1]).label)
    return frozenset(labels)


def _check(model: type[Any]) -> None:
    if (
        model._meta.app_label in tenant_only_app_labels()
        and getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME) == settings.PUBLIC_SCHEMA_NAME
    ):
        raise PublicSchemaAccessError(
            f"{model._meta.label} lives in tenant schemas, but the public schema is active. "
            "Activate a tenant first (request routing or tenants.services.in_tenant)."
        )


class TenantSchemaGuardRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> None:
        _check(model)
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> None:
        _check(model)
        return None
