"""Operator console: the SMS log (read-only; with the dev backend it is the inbox of codes)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from saas_platform.models import SmsMessage


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("created", "phone", "scope", "template", "status", "backend", "text", "error")
    list_filter = ("status", "backend", "template", ("created", admin.DateFieldListFilter))
    search_fields = ("phone", "scope", "vendor_id")
    date_hierarchy = "created"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The provider list with billing columns (plan, state, dates) and repair-order counts: registered
# here, above both tenants and billing, in place of tenants' own ProviderAdmin.
from saas_platform import operator_providers  # noqa: E402,F401
