"""``migrate_schemas`` (and ``migrate``) that stay fast with thousands of tenants.

Without ``--schema`` it migrates the public schema and the tenant template, then asks PostgreSQL in
one query which tenant schemas differ from the template and migrates only those; stale spare
schemas are dropped and the pool refilled. With ``--schema`` it behaves like django-tenants'.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor

from tenants import services
from tenants.schema_clone import qn


class Command(MigrateSchemasCommand):
    help = "Migrate public, the tenant template and only the tenant schemas that are behind it."

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options.get("schema_name")
            or options.get("app_label")
            or options.get("fake")
            or options.get("plan")
            or options.get("check_unapplied")
        ):
            super().handle(*args, **options)
            return
        self.sync_tenant = options.get("tenant")
        self.sync_public = options.get("shared")
        self.args = args
        self.options = options
        both = not self.sync_tenant and not self.sync_public
        executor = get_executor(codename=options.get("executor") or "standard")(args, options)
        if both or self.sync_public:
            executor.run_migrations(tenants=[settings.PUBLIC_SCHEMA_NAME])
        if both or self.sync_tenant:
            template = services.template_schema()
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {qn(template)}")
            executor.run_migrations(tenants=[template])
            outdated = services.outdated_tenant_schemas()
            if outdated:
                executor.run_migrations(tenants=outdated)
            if options.get("verbosity", 1) >= 1:
                self.stdout.write(f"tenant schemas migrated: {len(outdated)} (others already up to date)")
            made = services.spare_pool_refill()
            if made and options.get("verbosity", 1) >= 1:
                self.stdout.write(f"spare schemas created: {made}")
