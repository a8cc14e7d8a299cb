"""Operator console (Django admin on the public host) for providers, their domains and requests.

Status changes go through actions with a reason (suspend / reactivate; approve / reject a
subdomain request), call the services, and are written to the admin log with that reason.
Nothing here deletes a provider or its data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenants.domain_requests import domain_request_approve, domain_request_reject
from tenants.models import (
    Domain,
    DomainKind,
    DomainRequest,
    DomainRequestStatus,
    Provider,
    ProviderStatus,
    SpareSchema,
    StaffDirectory,
)
from tenants.services import provider_set_status


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept with the change; the provider sees it where it concerns them."),
    )

    def __init__(self, *args: Any, required: bool = True, help_text: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if help_text is not None:
            self.fields["reason"].help_text = help_text


def reason_step(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    action: str,
    title: str,
    button: str,
    required: bool = True,
    help_text: Any = None,
) -> tuple[str | None, HttpResponse | None]:
    """The small form between choosing an action and applying it: (reason, None) once submitted,
    else (None, the page asking for the reason)."""
    form = ReasonForm(
        request.POST if "apply" in request.POST else None, required=required, help_text=help_text
    )
    if "apply" in request.POST and form.is_valid():
        return form.cleaned_data["reason"].strip(), None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "queryset": queryset,
        "form": form,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return None, TemplateResponse(request, "admin/tenants/reason_form.html", context)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "kind", "is_primary", "created_at")
    readonly_fields = ("domain", "kind", "is_primary", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # domains come from signup, approved requests and verified custom domains


class DomainRequestInline(admin.TabularInline):
    model = DomainRequest
    extra = 0
    fields = ("hostname", "kind", "status", "reason", "created_at", "decided_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "hosts", "owner_phone", "status", "suspended_reason", "created_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("name", "schema_name", "owner_phone", "domains__domain")
    date_hierarchy = "created_at"
    readonly_fields = ("name", "schema_name", "owner_phone", "status", "suspended_reason", "created_at")
    fields = readonly_fields
    inlines = [DomainInline, DomainRequestInline]
    actions = ["suspend", "reactivate"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Provider]:
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=_("domains"))
    def hosts(self, provider: Provider) -> str:
        domains = sorted(provider.domains.all(), key=lambda d: (not d.is_primary, d.domain))
        return format_html_join(", ", "{}", ((d.domain,) for d in domains))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # providers are provisioned by signup or create_provider, never half-made here

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is ever deleted from the console

    @admin.action(description=_("Suspend the selected providers (with a reason)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Provider]) -> HttpResponse | None:
        reason, page = reason_step(
            self,
            request,
            queryset,
            action="suspend",
            title=gettext("Suspend providers"),
            button=gettext("Suspend"),
            help_text=gettext(
                "Shown on the provider's paused portal and console, with the platform's contact: "
                "its staff and its customers read it."
            ),
        )
        if page is not None:
            return page
        for provider in queryset:
            provider_set_status(provider=provider, status=ProviderStatus.SUSPENDED, reason=reason or "")
            self.log_change(request, provider, gettext("Suspended: %(reason)s") % {"reason": reason})
        self.message_user(
            request,
            gettext("%(count)d provider(s) suspended: portal and console show a notice; nothing was deleted.")
            % {"count": queryset.count()},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Reactivate the selected providers (with a reason)"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Provider]) -> HttpResponse | None:
        reason, page = reason_step(
            self,
            request,
            queryset,
            action="reactivate",
            title=gettext("Reactivate providers"),
            button=gettext("Reactivate"),
        )
        if page is not None:
            return page
        for provider in queryset:
            provider_set_status(provider=provider, status=ProviderStatus.ACTIVE, reason="")
            self.log_change(request, provider, gettext("Reactivated: %(reason)s") % {"reason": reason})
        self.message_user(
            request,
            gettext("%(count)d provider(s) reactivated.") % {"count": queryset.count()},
            messages.SUCCESS,
        )
        return None


class OpenFirst(admin.SimpleListFilter):
    title = _("needs a decision")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Waiting for approval"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> QuerySet[DomainRequest]:
        if self.value() == "yes":
            return queryset.filter(kind=DomainKind.SUBDOMAIN, status=DomainRequestStatus.PENDING)
        return queryset


@admin.register(DomainRequest)
class DomainRequestAdmin(admin.ModelAdmin):
    list_display = ("hostname", "provider", "kind", "status", "reason", "created_at", "decided_by")
    list_filter = (OpenFirst, "kind", "status")
    search_fields = ("hostname", "provider__name")
    list_select_related = ("provider", "decided_by")
    readonly_fields = (
        "provider",
        "kind",
        "hostname",
        "status",
        "reason",
        "txt_token",
        "last_check_at",
        "last_check_error",
        "created_at",
        "decided_at",
        "decided_by",
    )
    fields = readonly_fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[DomainRequest], decide: Any, reason: str, done: str
    ) -> None:
        count = 0
        for item in queryset:
            try:
                decide(request_id=item.pk, operator=request.user, reason=reason)
            except ValidationError as exc:
                self.message_user(request, f"{item.hostname}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                self.log_change(request, item, f"{done}: {reason}")
                count += 1
        if count:
            self.message_user(
                request, gettext("%(count)d request(s) decided.") % {"count": count}, messages.SUCCESS
            )

    @admin.action(description=_("Approve the selected subdomain requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> HttpResponse | None:
        reason, page = reason_step(
            self,
            request,
            queryset,
            action="approve",
            title=gettext("Approve subdomain requests"),
            button=gettext("Approve"),
            required=False,
        )
        if page is not None:
            return page
        self._decide(request, queryset, domain_request_approve, reason or "", "Approved")
        return None

    @admin.action(description=_("Reject the selected subdomain requests (with a reason)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> HttpResponse | None:
        reason, page = reason_step(
            self,
            request,
            queryset,
            action="reject",
            title=gettext("Reject subdomain requests"),
            button=gettext("Reject"),
        )
        if page is not None:
            return page
        self._decide(request, queryset, domain_request_reject, reason or "", "Rejected")
        return None


@admin.register(StaffDirectory)
class StaffDirectoryAdmin(admin.ModelAdmin):
    """Read-only: which providers a phone number is staff of (support questions)."""

    list_display = ("phone", "provider", "created_at")
    search_fields = ("phone", "provider__name")
    list_select_related = ("provider",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SpareSchema)
class SpareSchemaAdmin(admin.ModelAdmin):
    list_display = ("name", "fingerprint", "created_at")
