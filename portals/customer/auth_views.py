"""Customer sign-in on the portal: phone + SMS code (a first sign-in creates the customer).

The customer is a different Django user from any staff member with the same phone
(``accounts.services.customer_username``), so this page never opens the console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import customer_for_user
from accounts.services import customer_get_or_create
from portals.customer.forms import CustomerLoginForm
from portals.web import safe_next, send_code_for_form, verify_code_for_form

CUSTOMER_LOGIN = "customer_login"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
def customer_login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("portal:home"))
    if request.method == "GET" and customer_for_user(user=request.user) is not None:
        return redirect(next_url)
    form = CustomerLoginForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        code_sent = send_code_for_form(request, form, purpose=CUSTOMER_LOGIN)
    elif (
        request.method == "POST"
        and form.is_valid()
        and form.require_code()
        and verify_code_for_form(form, purpose=CUSTOMER_LOGIN)
    ):
        customer = customer_get_or_create(phone=form.cleaned_data["phone"])
        login(request, customer.user, backend=AUTH_BACKEND)
        messages.success(request, _("You are signed in."))
        return redirect(next_url)
    return render(
        request, "portals/customer/login.html", {"form": form, "code_sent": code_sent, "next": next_url}
    )


@require_POST
def customer_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("portal:home")
