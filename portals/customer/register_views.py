"""A customer company's exclusive registration QR code: scanning it opens this page; phone + SMS
code + name make the person a customer in that company and sign them in on the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.selectors import company_for_registration
from accounts.services import customer_register_in_company
from portals.customer.forms import CompanyJoinForm
from portals.web import add_service_errors, safe_next, send_code_for_form, verify_code_for_form

COMPANY_REGISTER = "company_register"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
def company_join(request: HttpRequest, token: str) -> HttpResponse:
    company = company_for_registration(token=token)
    if company is None:
        return render(request, "portals/customer/company_join_invalid.html", status=404)
    form = CompanyJoinForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        code_sent = send_code_for_form(request, form, purpose=COMPANY_REGISTER)
    elif (
        request.method == "POST"
        and form.is_valid()
        and form.require_code()
        and verify_code_for_form(form, purpose=COMPANY_REGISTER)
    ):
        try:
            customer = customer_register_in_company(
                registration_token=token, phone=form.cleaned_data["phone"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, customer.user, backend=AUTH_BACKEND)
            messages.success(
                request,
                _("Welcome, %(name)s: you are registered with %(company)s.")
                % {"name": customer.name, "company": company.name},
            )
            return redirect(safe_next(request, reverse("portal:home")))
    return render(
        request,
        "portals/customer/company_join.html",
        {"form": form, "company": company, "code_sent": code_sent},
    )
