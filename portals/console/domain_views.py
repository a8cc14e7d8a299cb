"""Domains in the console (admins only): the provider's live addresses, a request for another
``<sub>.BASE_DOMAIN`` (an operator approves it), and "use my own domain" with DNS verification.

Thin views: parse, call one service in ``tenants.domain_requests``, redirect with a message.
Every request object is looked up together with ``request.tenant``, so another provider's id is
a 404 here.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffRole
from billing.entitlements import provider_may
from portals.access import staff_required
from tenants.domain_requests import (
    base_subdomain_host,
    custom_domain_request_create,
    custom_domain_verify,
    domain_request_cancel,
    domain_requests_for,
    subdomain_request_create,
)
from tenants.models import Domain, DomainKind, DomainRequest, DomainRequestStatus, Provider

CUSTOM_DOMAIN_FEATURE = "custom_domain"


def custom_domains_allowed(provider: Provider) -> bool:
    """The one gate for "use my own domain": billing's entitlement for the provider's plan."""
    return provider_may(provider, CUSTOM_DOMAIN_FEATURE)


class SubdomainRequestForm(forms.Form):
    subdomain = forms.CharField(
        label=gettext_lazy("New subdomain"),
        max_length=30,
        help_text=gettext_lazy("3–30 lowercase letters, digits or hyphens. Takes effect after approval."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )


class CustomDomainForm(forms.Form):
    hostname = forms.CharField(
        label=gettext_lazy("Your domain"),
        max_length=253,
        help_text=gettext_lazy("For example repair.example.com"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "inputmode": "url"}),
    )


def _provider(request: HttpRequest) -> Provider:
    return request.tenant  # type: ignore[attr-defined]


def _page(
    request: HttpRequest,
    subdomain_form: SubdomainRequestForm | None = None,
    custom_form: CustomDomainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    provider = _provider(request)
    return render(
        request,
        "portals/console/domains/index.html",
        {
            "provider": provider,
            "domains": list(Domain.objects.filter(tenant=provider).order_by("-is_primary", "created_at")),
            "requests": domain_requests_for(provider=provider),
            "subdomain_form": subdomain_form or SubdomainRequestForm(),
            "custom_form": custom_form or CustomDomainForm(),
            "custom_allowed": custom_domains_allowed(provider),
            "base_domain": settings.BASE_DOMAIN,
        },
        status=status,
    )


@staff_required(StaffRole.ADMIN)
def domains(request: HttpRequest) -> HttpResponse:
    return _page(request)


@staff_required(StaffRole.ADMIN)
def subdomain_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = SubdomainRequestForm(request.POST)
    if form.is_valid():
        try:
            created = subdomain_request_create(
                provider=_provider(request), subdomain=form.cleaned_data["subdomain"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Requested %(host)s. It takes effect once an operator approves it.")
                % {"host": created.hostname},
            )
            return redirect("console:domains")
    return _page(request, subdomain_form=form, status=400)


@staff_required(StaffRole.ADMIN)
def custom_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    if not custom_domains_allowed(_provider(request)):
        messages.error(request, _("Your own domain is part of the premium plan. Upgrade under My account."))
        return redirect("console:domains")
    form = CustomDomainForm(request.POST)
    if form.is_valid():
        try:
            created = custom_domain_request_create(
                provider=_provider(request), hostname=form.cleaned_data["hostname"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("console:domain-detail", pk=created.pk)
    return _page(request, custom_form=form, status=400)


def _own_request(request: HttpRequest, pk: int) -> DomainRequest:
    found = DomainRequest.objects.filter(pk=pk, provider=_provider(request)).first()
    if found is None:
        raise Http404
    return found


@staff_required(StaffRole.ADMIN)
def custom_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _own_request(request, pk))


def _detail(request: HttpRequest, domain_request: DomainRequest) -> HttpResponse:
    if domain_request.kind != DomainKind.CUSTOM:
        raise Http404
    return render(
        request,
        "portals/console/domains/custom.html",
        {
            "provider": _provider(request),
            "domain_request": domain_request,
            "cname_target": base_subdomain_host(_provider(request)),
            "verifying": domain_request.status == DomainRequestStatus.VERIFYING,
        },
    )


@staff_required(StaffRole.ADMIN)
def custom_verify(request: HttpRequest, pk: int) -> HttpResponse:
    domain_request = _own_request(request, pk)
    if request.method != "POST":
        return _detail(request, domain_request)
    if not custom_domains_allowed(_provider(request)):
        messages.error(request, _("Your own domain is part of the premium plan. Upgrade under My account."))
        return redirect("console:domain-detail", pk=pk)
    try:
        checked, result = custom_domain_verify(provider=_provider(request), request_id=domain_request.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if result.ok:
            messages.success(request, _("%(host)s is live.") % {"host": checked.hostname})
        else:
            messages.error(
                request, _("Not verified yet: %(problems)s") % {"problems": " ".join(result.problems)}
            )
    return redirect("console:domain-detail", pk=pk)


@staff_required(StaffRole.ADMIN)
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    domain_request = _own_request(request, pk)
    if request.method != "POST":
        return _page(request)
    try:
        domain_request_cancel(provider=_provider(request), request_id=domain_request.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("console:domains")
