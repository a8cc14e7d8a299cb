"""Operator console for billing (Django admin on the public host, /operator/).

Accounts are never edited field by field: every change an operator makes to an account or an
order (credit, refund, extend trial, change plan, suspend, mark paid by bank transfer) goes through
a form that asks for a reason and calls one service, which writes the audit log. Ledger entries,
webhook events, reminders and the audit log are read-only. Plans are edited directly (prices in
yuan, stored in fen).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.models import (
    AuditLog,
    BillingAccount,
    BillingOrder,
    BillingReminder,
    LedgerEntry,
    OrderStatus,
    Plan,
    WebhookEvent,
)
from billing.pricing import format_yuan


def _yuan_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal("0"), max_digits=12, decimal_places=2)


def _fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


# --- Plans -------------------------------------------------------------------------------------------


class PlanForm(forms.ModelForm):
    monthly_price = _yuan_field(_("Monthly price (yuan)"))
    yearly_price = _yuan_field(_("Yearly price (yuan)"))

    class Meta:
        model = Plan
        fields = (
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "rank",
            "is_trial",
            "is_public",
            "asset_sync",
            "custom_domain",
            "wechat",
            "visitors",
            "staff_seats",
            "custom_form_templates",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["monthly_price"].initial = Decimal(self.instance.monthly_price_fen) / 100
            self.fields["yearly_price"].initial = Decimal(self.instance.yearly_price_fen) / 100

    def save(self, commit: bool = True) -> Plan:
        self.instance.monthly_price_fen = _fen(self.cleaned_data["monthly_price"])
        self.instance.yearly_price_fen = _fen(self.cleaned_data["yearly_price"])
        return super().save(commit=commit)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = (
        "code",
        "name",
        "name_en",
        "monthly",
        "yearly",
        "is_public",
        "asset_sync",
        "custom_domain",
        "wechat",
        "visitors",
        "staff_seats",
        "custom_form_templates",
    )
    list_editable = ("is_public",)
    readonly_fields = ("code",)

    @admin.display(description=_("monthly (¥)"))
    def monthly(self, plan: Plan) -> str:
        return format_yuan(plan.monthly_price_fen)

    @admin.display(description=_("yearly (¥)"))
    def yearly(self, plan: Plan) -> str:
        return format_yuan(plan.yearly_price_fen)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts and orders point at plans; hide a plan with "for sale" instead


# --- Operator action forms -----------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (written to the audit log)"), max_length=300)


class AmountForm(ReasonForm):
    amount = _yuan_field(_("Amount (yuan)"))
    reference = forms.CharField(label=_("Reference (e.g. bank transfer number)"), max_length=120)
    field_order = ("amount", "reference", "reason")


class RefundForm(ReasonForm):
    amount = _yuan_field(_("Amount to pay back (yuan)"))
    reference = forms.CharField(label=_("Reference of the payout"), max_length=120, required=False)
    field_order = ("amount", "reference", "reason")


class ExtendTrialForm(ReasonForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365, initial=7)
    field_order = ("days", "reason")


class ChangePlanForm(ReasonForm):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), to_field_name="code")
    field_order = ("plan", "reason")


class TransferForm(ReasonForm):
    reference = forms.CharField(label=_("Bank transfer reference"), max_length=120)
    field_order = ("reference", "reason")


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (written to the audit log and shown to the provider's staff)"), max_length=200
    )


AccountRun = Callable[[int, dict[str, Any], Any], object]


def _balance_run(service: Callable[..., object]) -> AccountRun:
    return lambda provider, data, operator: service(
        provider=provider,
        amount_fen=_fen(data["amount"]),
        reference=data["reference"],
        operator=operator,
        reason=data["reason"],
    )


ACCOUNT_RUNS: dict[str, AccountRun] = {
    "credit": _balance_run(services.account_credit),
    "refund": _balance_run(services.account_refund),
    "extend-trial": lambda provider, data, operator: services.account_extend_trial(
        provider=provider, days=data["days"], operator=operator, reason=data["reason"]
    ),
    "change-plan": lambda provider, data, operator: services.account_change_plan(
        provider=provider, plan_code=data["plan"].code, operator=operator, reason=data["reason"]
    ),
    "suspend": lambda provider, data, operator: services.account_suspend(
        provider=provider, operator=operator, reason=data["reason"]
    ),
    "unsuspend": lambda provider, data, operator: services.account_unsuspend(
        provider=provider, operator=operator, reason=data["reason"]
    ),
}


def _account_action(name: str, form: forms.Form, account: BillingAccount, operator: Any) -> None:
    ACCOUNT_RUNS[name](account.provider_id, form.cleaned_data, operator)


ACCOUNT_ACTIONS: dict[str, tuple[type[forms.Form], Any]] = {
    "credit": (AmountForm, _("Credit balance (bank transfer)")),
    "refund": (RefundForm, _("Refund from balance")),
    "extend-trial": (ExtendTrialForm, _("Extend trial")),
    "change-plan": (ChangePlanForm, _("Change plan")),
    "suspend": (SuspendForm, _("Suspend")),
    "unsuspend": (ReasonForm, _("Lift suspension")),
}

ORDER_ACTIONS: dict[str, tuple[type[forms.Form], Any]] = {
    "mark-paid": (TransferForm, _("Mark paid by bank transfer")),
    "refund": (ReasonForm, _("Refund to balance")),
}


def _order_action(name: str, form: forms.Form, order: BillingOrder, operator: Any) -> None:
    data = form.cleaned_data
    if name == "mark-paid":
        services.order_mark_paid_by_transfer(
            order_id=order.pk, reference=data["reference"], operator=operator, reason=data["reason"]
        )
    elif name == "refund":
        services.order_refund(order_id=order.pk, operator=operator, reason=data["reason"])


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerInline(_ReadOnlyInline):
    model = LedgerEntry
    fields = ("created_at", "kind", "amount", "balance_after", "reference", "actor", "note")
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    @admin.display(description=_("amount (¥)"))
    def amount(self, entry: LedgerEntry) -> str:
        return format_yuan(entry.amount_fen)

    @admin.display(description=_("balance after (¥)"))
    def balance_after(self, entry: LedgerEntry) -> str:
        return format_yuan(entry.balance_after_fen)


DETAIL_LABELS: dict[str, Any] = {
    "amount_fen": _("amount (¥)"),
    "reference": _("reference"),
    "days": _("days"),
    "before": _("before"),
    "after": _("after"),
}


def audit_details(entry: AuditLog) -> str:
    """An audit entry's details for people: labelled, amounts in yuan (stored in fen)."""
    parts = []
    for key, value in (entry.details or {}).items():
        shown = format_yuan(int(value)) if key.endswith("_fen") else value
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {shown}")
    return "; ".join(parts) or "—"


class AuditInline(_ReadOnlyInline):
    model = AuditLog
    fk_name = "account"
    fields = ("created_at", "operator_name", "action", "reason", "details_shown")
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details_shown(self, entry: AuditLog) -> str:
        return audit_details(entry)


class _ObjectActionsMixin:
    """Per-object operator actions: a form page per action, each calling one service."""

    actions_map: dict[str, tuple[type[forms.Form], Any]] = {}
    url_suffix = ""

    def _run(self, name: str, form: forms.Form, obj: Any, operator: Any) -> None:
        raise NotImplementedError

    def get_urls(self) -> list[Any]:
        admin_self: Any = self
        return [
            path(
                "<int:pk>/do/<str:action>/",
                admin_self.admin_site.admin_view(self.action_view),
                name=f"billing_{self.url_suffix}_action",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        admin_self: Any = self
        if action not in self.actions_map or not admin_self.has_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(admin_self.model, pk=pk)
        form_class, title = self.actions_map[action]
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self._run(action, form, obj, request.user)
            except services.BillingError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": title})
                return HttpResponseRedirect(reverse(f"admin:billing_{self.url_suffix}_change", args=[obj.pk]))
        context = {
            **admin_self.admin_site.each_context(request),
            "opts": admin_self.model._meta,
            "original": obj,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "billing/operator/action_form.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        extra = dict(extra_context or {})
        extra["object_actions"] = [
            (reverse(f"admin:billing_{self.url_suffix}_action", args=[object_id, name]), title)
            for name, (_form, title) in self.actions_map.items()
        ]
        return super().change_view(request, object_id, form_url, extra_context=extra)  # type: ignore[misc]


@admin.register(BillingAccount)
class BillingAccountAdmin(_ObjectActionsMixin, admin.ModelAdmin):
    """The providers list with their billing: plan, state, trial end, paid-until, balance."""

    url_suffix = "billingaccount"
    actions_map = ACCOUNT_ACTIONS
    change_form_template = "billing/operator/change_form.html"
    list_display = ("provider", "plan", "state", "trial_ends_at", "paid_until", "balance", "created_at")
    list_filter = ("state", "plan")
    list_select_related = ("provider", "plan")
    search_fields = (
        "provider__name",
        "provider__schema_name",
        "provider__owner_phone",
        "provider__domains__domain",
    )
    readonly_fields = (
        "provider",
        "plan",
        "state",
        "trial_ends_at",
        "paid_until",
        "balance",
        "suspended_reason",
        "state_changed_at",
        "created_at",
    )
    fields = readonly_fields
    inlines = [LedgerInline, AuditInline]

    def _run(self, name: str, form: forms.Form, obj: Any, operator: Any) -> None:
        _account_action(name, form, obj, operator)

    @admin.display(description=_("balance (¥)"), ordering="balance_fen")
    def balance(self, account: BillingAccount) -> str:
        return format_yuan(account.balance_fen)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        queryset, _dupes = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened at signup

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing in billing is ever deleted


@admin.register(BillingOrder)
class BillingOrderAdmin(_ObjectActionsMixin, admin.ModelAdmin):
    url_suffix = "billingorder"
    actions_map = ORDER_ACTIONS
    change_form_template = "billing/operator/change_form.html"
    list_display = (
        "number",
        "provider",
        "kind",
        "method",
        "status",
        "amount",
        "creator",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "kind", "method")
    list_select_related = ("account__provider",)
    search_fields = ("number", "account__provider__name", "gateway_session_id", "gateway_transaction_id")
    readonly_fields = (
        "number",
        "account",
        "kind",
        "method",
        "status",
        "amount",
        "plan",
        "months",
        "from_plan",
        "priced_until",
        "creator_phone",
        "creator_name",
        "note",
        "gateway_session_id",
        "gateway_transaction_id",
        "payment_reference",
        "created_at",
        "paid_at",
    )
    fields = readonly_fields

    def _run(self, name: str, form: forms.Form, obj: Any, operator: Any) -> None:
        _order_action(name, form, obj, operator)

    @admin.display(description=_("provider"), ordering="account__provider__name")
    def provider(self, order: BillingOrder) -> str:
        return str(order.account.provider)

    @admin.display(description=_("amount (¥)"), ordering="amount_fen")
    def amount(self, order: BillingOrder) -> str:
        return format_yuan(order.amount_fen)

    @admin.display(description=_("created by"), ordering="creator_name")
    def creator(self, order: BillingOrder) -> str:
        return order.creator_display

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        order = BillingOrder.objects.filter(pk=object_id).first()
        allowed = {"mark-paid"} if order and order.status != OrderStatus.PAID else {"refund"}
        response = super().change_view(request, object_id, form_url, extra_context)
        if hasattr(response, "context_data") and response.context_data is not None:
            response.context_data["object_actions"] = [
                (url, title)
                for url, title in response.context_data.get("object_actions", [])
                if any(f"/do/{name}/" in url for name in allowed)
            ]
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "account", "kind", "amount", "balance_after", "reference", "actor")
    list_filter = ("kind",)
    list_select_related = ("account__provider",)
    search_fields = ("account__provider__name", "reference", "order__number")

    @admin.display(description=_("amount (¥)"), ordering="amount_fen")
    def amount(self, entry: LedgerEntry) -> str:
        return format_yuan(entry.amount_fen)

    @admin.display(description=_("balance after (¥)"), ordering="balance_after_fen")
    def balance_after(self, entry: LedgerEntry) -> str:
        return format_yuan(entry.balance_after_fen)


@admin.register(AuditLog)
class AuditLogAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "operator_name", "action", "account", "order", "reason", "details_shown")
    list_filter = ("action",)
    list_select_related = ("account__provider", "order")
    search_fields = ("account__provider__name", "operator_name", "reason")
    exclude = ("details",)
    readonly_fields = ("details_shown",)

    @admin.display(description=_("details"))
    def details_shown(self, entry: AuditLog) -> str:
        return audit_details(entry)


@admin.register(WebhookEvent)
class WebhookEventAdmin(_ReadOnlyAdmin):
    list_display = ("received_at", "source", "event_type", "event_id", "order", "outcome")
    list_filter = ("source", "event_type")
    search_fields = ("event_id", "order__number")


@admin.register(BillingReminder)
class BillingReminderAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "account", "kind", "period_ends_at", "delivered_at", "delivery")
    list_filter = ("kind",)
    list_select_related = ("account__provider",)
