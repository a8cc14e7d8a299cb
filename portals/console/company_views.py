"""客户公司 customer companies: list, create, edit, members and managers, and the exclusive
registration QR code (PNG/SVG and a printable poster). Admins and dispatchers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.selectors import company_get, company_list, company_members
from accounts.services import (
    company_create,
    company_delete,
    company_member_add,
    company_member_remove,
    company_member_set_manager,
    company_registration_token_renew,
    company_update,
)
from portals.access import current_staff, staff_required
from portals.console.forms import CompanyEditForm, CompanyForm, CompanyMemberForm
from portals.qr import qr_response
from portals.web import absolute_url, add_service_errors
from tenants.inputs import parse_id

BACK_OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER)


def _company_or_404(actor: StaffMember, pk: int) -> CustomerCompany:
    company = company_get(actor=actor, pk=pk)
    if company is None:
        raise Http404
    return company


def registration_link(request: HttpRequest, company: CustomerCompany) -> str:
    return absolute_url(request, reverse("portal:company-join", args=[company.registration_token]))


@staff_required(*BACK_OFFICE)
def company_index(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:60]
    companies = list(company_list(actor=current_staff(request), search=search))
    return render(request, "portals/console/companies/list.html", {"companies": companies, "search": search})


@staff_required(*BACK_OFFICE)
def company_new(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_create(actor=current_staff(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The company was added. Share its QR code so its people can register.")
            )
            return redirect("console:company-detail", pk=company.pk)
    return render(request, "portals/console/companies/form.html", {"form": form, "company": None})


@staff_required(*BACK_OFFICE)
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = current_staff(request)
    company = _company_or_404(actor, pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            company_delete(actor=actor, company=company)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("console:company-edit", pk=company.pk)
        messages.success(request, _("The company %(name)s was deleted.") % {"name": company.name})
        return redirect("console:companies")
    initial = {
        "name": company.name,
        "contact_person": company.contact_person,
        "contact_phone": company.contact_phone,
        "address": company.address,
        "is_active": company.is_active,
    }
    form = CompanyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            company_update(actor=actor, company=company, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:company-detail", pk=company.pk)
    return render(request, "portals/console/companies/form.html", {"form": form, "company": company})


def _member_or_404(company: CustomerCompany, raw_id: str) -> Customer:
    member = Customer.objects.filter(company=company, pk=parse_id(raw_id) or 0).first()
    if member is None:
        raise Http404
    return member


@staff_required(*BACK_OFFICE)
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = current_staff(request)
    company = _company_or_404(actor, pk)
    member_form = CompanyMemberForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_member":
                member_form = CompanyMemberForm(request.POST)
                if member_form.is_valid():
                    member = company_member_add(actor=actor, company=company, **member_form.cleaned_data)
                    messages.success(request, _("%(name)s is now a member.") % {"name": member})
                    return redirect("console:company-detail", pk=company.pk)
            elif action in {"make_manager", "unmake_manager"}:
                member = _member_or_404(company, request.POST.get("member", ""))
                company_member_set_manager(
                    actor=actor, company=company, customer=member, is_manager=action == "make_manager"
                )
                return redirect("console:company-detail", pk=company.pk)
            elif action == "remove_member":
                member = _member_or_404(company, request.POST.get("member", ""))
                company_member_remove(actor=actor, company=company, customer=member)
                messages.success(request, _("%(name)s left the company.") % {"name": member})
                return redirect("console:company-detail", pk=company.pk)
            elif action == "renew_qr":
                company_registration_token_renew(actor=actor, company=company)
                messages.success(request, _("A new QR code is ready. The old one no longer works."))
                return redirect("console:company-detail", pk=company.pk)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            if action == "add_member":
                add_service_errors(member_form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
    members = list(company_members(actor=actor, company=company))
    return render(
        request,
        "portals/console/companies/detail.html",
        {
            "company": company,
            "members": members,
            "member_form": member_form,
            "registration_link": registration_link(request, company),
        },
    )


@staff_required(*BACK_OFFICE)
def company_qr(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    company = _company_or_404(current_staff(request), pk)
    if kind not in {"png", "svg"}:
        raise Http404
    return qr_response(registration_link(request, company), kind=kind, filename=f"company-{company.pk}-qr")


@staff_required(*BACK_OFFICE)
def company_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 page: the company's QR code with how to use it."""
    company = _company_or_404(current_staff(request), pk)
    provider = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "portals/console/companies/poster.html",
        {"company": company, "registration_link": registration_link(request, company), "provider": provider},
    )
