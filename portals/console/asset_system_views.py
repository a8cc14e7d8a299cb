"""一葫芦 / asset system in the console: the binding (premium only), its connection test, the
webhook address and secret, and the sync log with retries.

Actions (test, switch, new secret, retry) change things only on POST; a GET of an action's
address shows the page it belongs to (console convention).

Thin views: parse, call one service in ``integrations.asset_systems.services``, redirect with a
message. Bindings, links and log rows live in the provider's own schema, so another provider's
id is simply not found (404). Admins manage the binding; admins and dispatchers read the log and
retry pushes. Without the premium entitlement every screen shows billing's upgrade prompt.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import StaffMember, StaffRole
from integrations.asset_systems import selectors, services
from integrations.asset_systems.adapters import adapter_class
from integrations.asset_systems.models import (
    AdapterKind,
    AssetSystemBinding,
    AuthMode,
    ExternalOrderLink,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.services import BindingInput
from portals.access import current_staff, staff_required
from portals.console.billing_views import feature_required

FEATURE = "asset_sync"
LOG_PAGE_SIZE = 50
admin_only = staff_required(StaffRole.ADMIN)
log_readers = staff_required(StaffRole.ADMIN, StaffRole.DISPATCHER)


class JSONTextField(forms.CharField):
    """A textarea holding a JSON object; errors say where the JSON breaks."""

    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("This is not valid JSON: %(problem)s (line %(line)d, column %(column)d).")
                % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from None
        if not isinstance(data, dict):
            raise ValidationError(_("Enter a JSON object, starting with { and ending with }."))
        return data

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value


class BindingForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    kind = forms.ChoiceField(label=gettext_lazy("System"), choices=AdapterKind.choices)
    base_url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=300,
        help_text=gettext_lazy("For example https://assets.example.com (without /api)."),
        widget=forms.URLInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    auth_mode = forms.ChoiceField(label=gettext_lazy("Sign-in"), choices=AuthMode.choices)
    username = forms.CharField(
        label=gettext_lazy("Admin account"),
        max_length=120,
        required=False,
        help_text=gettext_lazy(
            "The external system's administrator login (for account and password sign-in)."
        ),
    )
    header_name = forms.CharField(
        label=gettext_lazy("Header name"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("For an API key sent in a custom header, e.g. X-Api-Key."),
    )
    secret = forms.CharField(
        label=gettext_lazy("Password / API token"),
        max_length=4000,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    engineer = forms.ModelChoiceField(
        label=gettext_lazy("Engineer for external work orders"),
        queryset=StaffMember.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "When the external system moves an order past dispatch, it is dispatched to this engineer "
            "(unless the system names one of your engineers by phone)."
        ),
    )
    options = JSONTextField(label=gettext_lazy("Options"), required=False)
    field_mapping = JSONTextField(label=gettext_lazy("Field mapping"), required=False)
    status_mapping = JSONTextField(
        label=gettext_lazy("Status mapping"),
        required=False,
        help_text=gettext_lazy(
            "External status → ours: accepted, dispatched, in_progress, suspended, awaiting_confirmation, "
            "completed, cancelled, or ignore."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engineer_field = self.fields["engineer"]
        assert isinstance(engineer_field, forms.ModelChoiceField)
        engineer_field.queryset = StaffMember.objects.filter(
            role=StaffRole.ENGINEER, is_active=True
        ).order_by("display_name", "phone")

    def to_input(self) -> BindingInput:
        data = self.cleaned_data
        return BindingInput(
            name=data["name"],
            kind=data["kind"],
            base_url=data["base_url"],
            auth_mode=data["auth_mode"],
            username=data["username"],
            header_name=data["header_name"],
            secret=data["secret"],
            options=data["options"],
            field_mapping=data["field_mapping"],
            status_mapping=data["status_mapping"],
            engineer=data["engineer"],
        )


def _initial(binding: AssetSystemBinding | None, kind: str) -> dict[str, Any]:
    if binding is not None:
        return {
            "name": binding.name,
            "kind": binding.kind,
            "base_url": binding.base_url,
            "auth_mode": binding.auth_mode,
            "username": binding.username,
            "header_name": binding.header_name,
            "engineer": binding.engineer_id,
            "options": binding.options,
            "field_mapping": binding.field_mapping,
            "status_mapping": binding.status_mapping,
        }
    defaults = services.binding_defaults(kind)
    name = "Snipe-IT" if kind == AdapterKind.SNIPEIT else _("Asset system")
    return {"name": name, "kind": kind, **defaults}


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _webhook_url(request: HttpRequest, binding: AssetSystemBinding) -> str:
    return request.build_absolute_uri(reverse("asset-webhook", kwargs={"binding_id": binding.pk}))


# --- Overview --------------------------------------------------------------------------------------


@log_readers
@feature_required(FEATURE)
def asset_systems(request: HttpRequest) -> HttpResponse:
    counts = selectors.sync_counts(since=timezone.now() - timedelta(hours=24))
    return render(
        request,
        "portals/console/asset_systems/index.html",
        {
            "bindings": selectors.binding_list(),
            "counts": counts,
            "kinds": [
                (kind, adapter_class(kind).label, adapter_class(kind).help_text)
                for kind in AdapterKind.values
            ],
            "is_admin": current_staff(request).role == StaffRole.ADMIN,
        },
    )


# --- Binding ------------------------------------------------------------------------------------------


def _binding_page(
    request: HttpRequest, form: BindingForm, binding: AssetSystemBinding | None, status: int = 200
) -> HttpResponse:
    kind = form["kind"].value() or AdapterKind.SNIPEIT
    cls = adapter_class(kind if kind in AdapterKind.values else AdapterKind.SNIPEIT)
    return render(
        request,
        "portals/console/asset_systems/binding.html",
        {
            "form": form,
            "binding": binding,
            "kind_help": cls.help_text,
            "webhook_url": _webhook_url(request, binding) if binding else "",
        },
        status=status,
    )


@admin_only
@feature_required(FEATURE)
def binding_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", AdapterKind.SNIPEIT)
    if kind not in AdapterKind.values:
        kind = AdapterKind.SNIPEIT
    if request.method != "POST":
        return _binding_page(request, BindingForm(initial=_initial(None, kind)), None)
    form = BindingForm(request.POST)
    if form.is_valid():
        try:
            binding = services.binding_save(actor=current_staff(request), data=form.to_input())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved. Test the connection, then switch the sync on."))
            return redirect("console:sync-binding", pk=binding.pk)
    return _binding_page(request, form, None, status=400)


@admin_only
@feature_required(FEATURE)
def binding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    binding = get_object_or_404(AssetSystemBinding, pk=pk)
    if request.method != "POST":
        return _binding_page(request, BindingForm(initial=_initial(binding, binding.kind)), binding)
    form = BindingForm(request.POST)
    if form.is_valid():
        try:
            binding = services.binding_save(
                actor=current_staff(request), data=form.to_input(), binding=binding
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:sync-binding", pk=binding.pk)
    return _binding_page(request, form, binding, status=400)


@admin_only
@feature_required(FEATURE)
def binding_test(request: HttpRequest, pk: int) -> HttpResponse:
    binding = get_object_or_404(AssetSystemBinding, pk=pk)
    if request.method != "POST":
        return _binding_page(request, BindingForm(initial=_initial(binding, binding.kind)), binding)
    result = services.binding_test(actor=current_staff(request), binding=binding)
    if result.ok:
        messages.success(request, _("Connection OK: %(message)s") % {"message": result.message})
    else:
        messages.error(request, _("Connection failed: %(message)s") % {"message": result.message})
    return redirect("console:sync-binding", pk=binding.pk)


@admin_only
@feature_required(FEATURE)
def binding_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    binding = get_object_or_404(AssetSystemBinding, pk=pk)
    if request.method != "POST":
        return _binding_page(request, BindingForm(initial=_initial(binding, binding.kind)), binding)
    enable = request.POST.get("enabled") == "1"
    try:
        services.binding_set_enabled(actor=current_staff(request), binding=binding, enabled=enable)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The sync is on.") if enable else _("The sync is off."))
    return redirect("console:sync-binding", pk=binding.pk)


@admin_only
@feature_required(FEATURE)
def binding_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    binding = get_object_or_404(AssetSystemBinding, pk=pk)
    if request.method != "POST":
        return _binding_page(request, BindingForm(initial=_initial(binding, binding.kind)), binding)
    services.binding_rotate_webhook_secret(actor=current_staff(request), binding=binding)
    messages.success(request, _("A new webhook secret was made. Update it in the external system."))
    return redirect(reverse("console:sync-binding", kwargs={"pk": binding.pk}) + "#webhook")


# --- Sync log and retries ---------------------------------------------------------------------------


@log_readers
@feature_required(FEATURE)
def sync_log(request: HttpRequest) -> HttpResponse:
    return _log_page(request)


def _log_page(request: HttpRequest) -> HttpResponse:
    result = request.GET.get("result", "")
    operation = request.GET.get("operation", "")
    result = result if result in SyncResult.values else ""
    operation = operation if operation in SyncOperation.values else ""
    page = Paginator(selectors.sync_log(result=result, operation=operation), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portals/console/asset_systems/log.html",
        {
            "page": page,
            "result": result,
            "operation": operation,
            "results": SyncResult.choices,
            "operations": SyncOperation.choices,
            "counts": selectors.sync_counts(since=timezone.now() - timedelta(hours=24)),
            "attention": list(selectors.links_needing_attention()[:100]),
        },
    )


@log_readers
@feature_required(FEATURE)
def link_retry(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ExternalOrderLink, pk=pk)
    if request.method != "POST":
        return _log_page(request)
    try:
        services.link_retry(actor=current_staff(request), link=link)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Order %(number)s will be sent again.") % {"number": link.order.number})
    return redirect("console:sync-log")


@log_readers
@feature_required(FEATURE)
def links_retry_failed(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _log_page(request)
    count = services.links_retry_failed(actor=current_staff(request))
    messages.success(request, _("%(count)d failed order(s) will be sent again.") % {"count": count})
    return redirect("console:sync-log")
