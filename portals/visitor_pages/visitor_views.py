"""The visitor's mobile pages (inside WeChat's browser too): home, 我的邀请码, 访客进校申请,
我的预约申请 (已通过 / 审批中 / 已拒绝) and the pass (访客码) with its QR.

The visitor is a portal customer whose phone was verified by an SMS code (the portal's sign-in,
``portal:login``, with ``next`` back here), so every page shows only that phone's invitations and
that person's applications.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portals.access import current_customer, customer_required
from portals.report_form import error_dict, form_fields, parse_post
from portals.visitor_pages.access import portal_feature
from portals.visitor_pages.forms import ApplicationForm
from portals.web import add_service_errors
from visitors import selectors, services
from visitors.invitations import invitation_for_code
from visitors.models import Application, VisitPass
from visitors.organisation import visitor_settings
from visitors.passes import pass_qr_payload


@portal_feature
def visit_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portals/visitors/visitor/home.html")


@portal_feature
@customer_required
def my_codes(request: HttpRequest) -> HttpResponse:
    invitations = selectors.invitations_for_visitor(customer=current_customer(request))
    return render(request, "portals/visitors/visitor/codes.html", {"invitations": invitations})


def _initial(request: HttpRequest) -> dict[str, Any]:
    customer = current_customer(request)
    initial: dict[str, Any] = {"phone": customer.phone, "name": customer.name}
    code = request.GET.get("code", "").strip()[:12]
    if code:
        try:
            invitation = invitation_for_code(code=code, phone=customer.phone)
        except ValidationError:
            initial["invitation_code"] = code
        else:
            initial.update(
                invitation_code=invitation.code,
                name=invitation.name,
                visit_start=invitation.visit_start,
                visit_end=invitation.visit_end,
                unit=invitation.unit,
                host=invitation.host,
                visitor_type=invitation.visitor_type,
            )
    return initial


@portal_feature
@customer_required
def apply(request: HttpRequest) -> HttpResponse:
    definitions = visitor_settings().extra_fields
    form = ApplicationForm(
        request.POST or None, initial=None if request.method == "POST" else _initial(request)
    )
    extra_values: dict[str, Any] = {}
    extra_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        extra_values = parse_post(definitions, request.POST)
        if form.is_valid():
            data = services.ApplicationData(**form.cleaned_data, extra=extra_values)
            try:
                application = services.application_submit(applicant=current_customer(request), data=data)
            except ValidationError as exc:
                extra_errors, _general = error_dict(exc)
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Your application was submitted. You will be told when it is decided.")
                )
                return redirect("portal:visit-application", pk=application.pk)
    return render(
        request,
        "portals/visitors/visitor/apply.html",
        {"form": form, "extra": form_fields(definitions, extra_values, extra_errors)},
    )


TABS = (("approved", _("Approved")), ("pending", _("Under approval")), ("rejected", _("Rejected")))


@portal_feature
@customer_required
def my_applications(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "approved")
    if tab not in selectors.VISITOR_TABS:
        tab = "approved"
    applications = selectors.applications_for_visitor(customer=current_customer(request), tab=tab)
    return render(
        request,
        "portals/visitors/visitor/applications.html",
        {"tab": tab, "tabs": [(key, _(label)) for key, label in TABS], "applications": applications},
    )


@portal_feature
@customer_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = selectors.application_for_visitor(customer=current_customer(request), pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "portals/visitors/visitor/application_detail.html",
        {
            "application": application,
            "steps": selectors.steps_of(application),
            "visit_pass": getattr(application, "visit_pass", None),
        },
    )


@portal_feature
@customer_required
def pass_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        visit_pass = selectors.pass_for_visitor(customer=current_customer(request), pk=pk)
    except VisitPass.DoesNotExist as exc:
        raise Http404 from exc
    qr = segno.make(pass_qr_payload(visit_pass), error="m")
    svg = qr.svg_inline(scale=6, border=2)
    response = render(
        request,
        "portals/visitors/visitor/pass.html",
        {"visit_pass": visit_pass, "application": visit_pass.application, "qr_svg": mark_safe(svg)},  # noqa: S308 (segno's own SVG)
    )
    response["Cache-Control"] = "no-store"
    return response
