"""The operator console's provider list with what an operator asks first about a provider: its
plan, billing state, trial end / paid-until, how many repair orders it has, when it signed up;
filtered by provider status, billing state and plan, searchable by name, schema, phone or domain.

``tenants`` may not know billing (import-linter), so the platform layer, which sits above both,
re-registers ``tenants.admin.ProviderAdmin`` with the billing columns. Repair orders live in each
provider's schema: their counts are read for the page's providers only, in one ``UNION ALL``
statement, never a query per row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from billing.models import AccountState, Plan
from repair_forms.models import RepairOrder
from tenants.admin import ProviderAdmin
from tenants.models import Provider


def repair_order_counts(schema_names: list[str]) -> dict[str, int]:
    """How many repair orders each of ``schema_names`` holds: one statement for all of them, over
    the schemas that have the table (a provider whose provisioning failed has none; it shows no
    count instead of breaking the list)."""
    if not schema_names:
        return {}
    table = RepairOrder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(%s)",
            [table, list(schema_names)],
        )
        present = sorted(str(row[0]) for row in cursor.fetchall())
        if not present:
            return {}
        quoted = connection.ops.quote_name(table)
        sql = " UNION ALL ".join(
            f"SELECT %s, count(*) FROM {connection.ops.quote_name(name)}.{quoted}" for name in present
        )
        cursor.execute(sql, present)
        return {str(name): int(count) for name, count in cursor.fetchall()}


class AccountStateFilter(admin.SimpleListFilter):
    title = _("billing state")
    parameter_name = "billing_state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(AccountState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Provider]) -> QuerySet[Provider]:
        if self.value() in AccountState.values:
            return queryset.filter(billing_account__state=self.value())
        return queryset


class PlanFilter(admin.SimpleListFilter):
    title = _("plan")
    parameter_name = "plan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(plan.code, plan.display_name) for plan in Plan.objects.order_by("rank", "code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Provider]) -> QuerySet[Provider]:
        if self.value():
            return queryset.filter(billing_account__plan__code=self.value())
        return queryset


class ProviderListAdmin(ProviderAdmin):
    list_display: Any = (
        "name",
        "hosts",
        "plan",
        "account_state",
        "trial_ends",
        "paid_until",
        "orders",
        "status",
        "owner_phone",
        "created_at",
    )
    list_filter = ("status", AccountStateFilter, PlanFilter, ("created_at", admin.DateFieldListFilter))  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Provider]:
        return super().get_queryset(request).select_related("billing_account__plan")

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        counts = repair_order_counts([provider.schema_name for provider in page])
        for provider in page:
            provider.repair_orders = counts.get(provider.schema_name, 0)
        return changelist

    @staticmethod
    def _account(provider: Provider) -> Any:
        return getattr(provider, "billing_account", None)

    @admin.display(description=_("plan"), ordering="billing_account__plan__rank")
    def plan(self, provider: Provider) -> str:
        account = self._account(provider)
        return account.plan.display_name if account else "—"

    @admin.display(description=_("billing state"), ordering="billing_account__state")
    def account_state(self, provider: Provider) -> str:
        account = self._account(provider)
        return account.get_state_display() if account else "—"

    @admin.display(description=_("trial ends"), ordering="billing_account__trial_ends_at")
    def trial_ends(self, provider: Provider) -> Any:
        account = self._account(provider)
        return account.trial_ends_at if account else None

    @admin.display(description=_("paid until"), ordering="billing_account__paid_until")
    def paid_until(self, provider: Provider) -> Any:
        account = self._account(provider)
        return account.paid_until if account else None

    @admin.display(description=_("repair orders"))
    def orders(self, provider: Provider) -> Any:
        return getattr(provider, "repair_orders", "—")


admin.site.unregister(Provider)
admin.site.register(Provider, ProviderListAdmin)
