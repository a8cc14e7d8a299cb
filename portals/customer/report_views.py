"""快捷报修: the customer reports a fault on the provider's portal (web, WeChat's browser, a QR label).

Paths into the form: a machine label's QR (``/report/?asset=<token>``, ``repair_forms.labels``), the
machine number or serial typed into the lookup box (``?q=``; WeChat scans send ``?serial=``), or —
when the provider allows it — "I don't know the number" (``?free=1``), which is the same form
without a machine behind it (brand → category → model cascade).

Sending needs a signed-in customer with a name. Anyone may fill the form; when a visitor presses
send, what they typed and the photos they chose are kept (``report_draft``: the photos stored as draft
photos, their ids in the session), they sign in, and come back to the same form (``?resume=1``) with
the photos ticked. A customer with no name on file types it on the form; it is remembered on the
customer, so orders, lists, notices and exports name the reporter.

When the provider's account does not take reports now (``billing.entitlements.reporting_open``),
the page says so with the provider's phone, shows what was typed and keeps it for later: a report is
never silently dropped.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.selectors import customer_for_user, provider_profile_cached, provider_settings
from accounts.services import customer_get_or_create
from accounts.validators import tel_href
from billing.entitlements import reporting_open
from portals.api.idempotency import submit_once
from portals.asset_lookup import lookup_allowed, lookup_values
from portals.customer.order_views import photo_response
from portals.customer.report_draft import (
    DRAFT_KEY,
    NAME_MAX_LENGTH,
    clean_reporter_name,
    draft_claim_photos,
    draft_drop,
    draft_get,
    draft_keep,
    session_photo_ids,
    session_photos,
)
from portals.order_ui import customer_actor, lookup_asset
from portals.report_form import (
    draft_of,
    error_dict,
    form_fields,
    parse_post,
    prefill_from_asset,
    typed_summary,
)
from repair_forms.form_templates import default_template_version
from repair_forms.models import Asset
from repair_forms.selectors import asset_by_token, asset_form_values, catalog_tree
from repair_forms.services import order_submit

__all__ = ["DRAFT_KEY", "report", "report_photo"]


def _provider_context(request: HttpRequest) -> dict[str, Any]:
    profile = provider_profile_cached()
    return {"provider": request.tenant, "profile": profile, "tel": tel_href(profile.contact_phone)}  # type: ignore[attr-defined]


def _render_form(
    request: HttpRequest,
    *,
    values: dict[str, Any],
    asset: Asset | None,
    free: bool,
    errors: dict[str, list[str]] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    by_lookup: bool = False,
    reporter_name: str = "",
) -> HttpResponse:
    """``by_lookup``: the machine was found by a typed number, so the page carries no label token
    (the order is matched again from the typed number when sent). Photos kept in the session's
    draft show as ticked thumbnails; a customer without a name on file is asked for it."""
    version = default_template_version()
    catalog = catalog_tree() if any(f["type"] == "machine" for f in version.fields) else []
    customer = customer_for_user(user=request.user)
    errors = errors or {}
    photos = session_photos(request, customer) if draft_get(request) else {}
    context = {
        **_provider_context(request),
        "mode": "form",
        "version": version,
        "style": version.style,
        "fields": form_fields(version.fields, values, errors, catalog=catalog, photos=photos),
        "asset": asset,
        "asset_token": asset.token if asset is not None and not by_lookup else "",
        "free": free,
        "general_errors": general or [],
        "customer": customer,
        "ask_name": customer is None or not customer.name,
        "reporter_name": reporter_name,
        "name_errors": errors.get("reporter_name", []),
        "name_max_length": NAME_MAX_LENGTH,
        "submit_token": secrets.token_hex(16),
    }
    return render(request, "portals/customer/report.html", context, status=status)


def _render_lookup(request: HttpRequest, *, query: str = "", not_found: bool = False) -> HttpResponse:
    context = {
        **_provider_context(request),
        "mode": "lookup",
        "query": query,
        "not_found": not_found,
        "free_allowed": provider_settings().free_form_reporting_enabled,
        "customer": customer_for_user(user=request.user),
    }
    return render(request, "portals/customer/report.html", context, status=404 if not_found else 200)


def _render_closed(request: HttpRequest, summary: list[tuple[str, str]] | None = None) -> HttpResponse:
    context = {
        **_provider_context(request),
        "mode": "closed",
        "summary": summary or [],
        "customer": customer_for_user(user=request.user),
    }
    return render(
        request,
        "portals/customer/report.html",
        context,
    )


@never_cache
def report_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo of this browser's unsent report (its session's draft), for the form's thumbnail."""
    photo = session_photos(request, customer_for_user(user=request.user)).get(pk)
    if photo is None:
        raise Http404
    return photo_response(photo)


@never_cache
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "discard":
        draft_drop(request, customer_for_user(user=request.user))  # start over
        return redirect("portal:report")
    if request.method == "POST":
        return _submit(request)
    if not reporting_open(request.tenant):  # type: ignore[attr-defined]
        return _render_closed(request)
    free_allowed = provider_settings().free_form_reporting_enabled
    draft = draft_get(request)
    token = request.GET.get("asset", "").strip()
    query = (request.GET.get("q") or request.GET.get("serial") or "").strip()[:80]
    if draft and (request.GET.get("resume") or not (token or query or request.GET.get("free"))):
        asset = asset_by_token(draft.get("asset", "")) if draft.get("asset") else None
        if asset is not None or draft.get("free") or free_allowed:
            return _render_form(
                request,
                values=draft.get("data", {}),
                asset=asset,
                free=asset is None,
                reporter_name=str(draft.get("reporter_name", "")),
            )
    if token:
        asset = asset_by_token(token)
        if asset is None:
            messages.error(
                request, _("This label is no longer valid. Enter the machine number or serial number.")
            )
            return _render_lookup(request)
        return _render_form(
            request, values=prefill_from_asset(asset_form_values(asset)), asset=asset, free=False
        )
    if query:
        customer = customer_for_user(user=request.user)
        if not lookup_allowed(request, customer=customer):
            messages.error(request, _("Too many machine lookups. Wait a while and try again."))
            response = _render_lookup(request, query=query)
            response.status_code = 429
            return response
        asset = lookup_asset(query)
        if asset is not None:
            values = prefill_from_asset(lookup_values(asset, customer=customer))
            return _render_form(request, values=values, asset=asset, free=False, by_lookup=True)
        if free_allowed:
            messages.warning(
                request,
                _("No machine has the number %(query)s. Fill in the machine details below instead.")
                % {"query": query},
            )
            return _render_form(request, values={"serial": query}, asset=None, free=True)
        return _render_lookup(request, query=query, not_found=True)
    if request.GET.get("free"):
        if not free_allowed:
            messages.error(request, _("Please enter the machine number or serial number on the label."))
            return _render_lookup(request)
        return _render_form(request, values={}, asset=None, free=True)
    return _render_lookup(request)


def _submit(request: HttpRequest) -> HttpResponse:
    version = default_template_version()
    data = parse_post(version.fields, request.POST, request.FILES)
    token = request.POST.get("asset", "").strip()
    asset = asset_by_token(token) if token else None
    free = asset is None
    customer = customer_for_user(user=request.user)
    name = clean_reporter_name(request.POST.get("reporter_name"))
    name_missing = (customer is None or not customer.name) and not name

    def keep() -> dict[str, Any]:
        kept, refused = draft_keep(
            request, version.fields, data, asset=asset, free=free, customer=customer, reporter_name=name
        )
        for sentence in refused:
            messages.warning(request, _("This photo could not be kept: %(reason)s") % {"reason": sentence})
        return kept

    if not reporting_open(request.tenant):  # type: ignore[attr-defined]
        keep()
        return _render_closed(request, typed_summary(version.fields, data))
    if name_missing:
        return _render_form(
            request,
            values=keep(),
            asset=asset,
            free=free,
            errors={"reporter_name": [_("Enter your name so the repair centre knows who to ask for.")]},
            status=400,
            reporter_name=name,
        )
    if customer is None:
        keep()
        messages.info(request, _("Sign in to send your report. What you typed is kept."))
        if session_photo_ids(request):
            messages.info(request, _("Your photos are kept too."))
        return redirect_to_login(
            f"{reverse('portal:report')}?{urlencode({'resume': 1})}", login_url="portal:login"
        )
    signed_in = customer

    def file_it() -> HttpResponse:
        reporter = signed_in
        if name and not reporter.name:  # remembered for the next report
            reporter = customer_get_or_create(phone=reporter.phone, name=name)
        draft_claim_photos(request, data, reporter)
        try:
            order = order_submit(
                actor=customer_actor(reporter), data=data, asset=asset, template_version=version
            )
        except ValidationError as exc:
            errors, general = error_dict(exc)
            return _render_form(
                request,
                values=draft_of(data),
                asset=asset,
                free=free,
                errors=errors,
                general=general,
                status=400,
            )
        draft_drop(request, reporter)  # photos left out of the report are deleted
        messages.success(
            request, _("Your report was sent. Order number: %(number)s") % {"number": order.number}
        )
        return redirect("portal:order-detail", pk=order.pk)

    # A double click, or a retry after an error page, files one order (the form's one-time token).
    return submit_once(request, token=request.POST.get("submit_token", ""), submit=file_it)
