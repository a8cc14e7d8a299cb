"""嵌入窗口登录: a login window a provider puts on its own web site in an ``<iframe>``.

Framing: only this view may be framed, and only by the provider's own host and the origins listed
in its settings (``Content-Security-Policy: frame-ancestors``; no X-Frame-Options here). Every
other page keeps Django's ``X-Frame-Options: DENY``.

Sessions: inside a third-party iframe browsers block or partition cookies, so the window never
relies on them. It checks phone + SMS code and answers with a one-time ticket; the customer taps
"open the portal", the top window loads ``/embed/enter/?ticket=…`` on the provider's host and is
signed in there (first-party cookies). A ticket is signed, names this schema and one customer,
lives ``TICKET_MAX_AGE`` seconds and dies when used (it covers the user's ``last_login``).

CSRF: the window is exempt because a cookie-bound token cannot work in a third-party frame, and it
changes no session: a forged POST could only send a code (rate limited per phone and IP) or get a
ticket back that the forger cannot read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Customer
from accounts.selectors import provider_settings
from accounts.services import customer_get_or_create
from portals.customer.forms import CustomerLoginForm
from portals.web import current_schema, send_code_for_form, verify_code_for_form

EMBED_LOGIN = "embed_login"
TICKET_SALT = "portals.customer.embed_views.ticket"
TICKET_MAX_AGE = 120
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def frame_ancestors() -> str:
    """The CSP source list: this host plus the provider's listed origins (validated on save by
    ``accounts.validators.normalize_embed_origin``: scheme://host[:port], nothing else)."""
    return " ".join(["'self'", *provider_settings().embed_allowed_origins])


def _framable(response: HttpResponse) -> HttpResponse:
    """The site-wide policy (django-csp), with frame-ancestors replaced by the allowed origins."""
    response._csp_replace = {"frame-ancestors": frame_ancestors().split()}  # type: ignore[attr-defined]
    return response


def _ticket_for(customer: Customer) -> str:
    user: Any = customer.user
    last_login = user.last_login.isoformat() if user.last_login else ""
    return signing.dumps({"s": current_schema(), "u": user.pk, "l": last_login}, salt=TICKET_SALT)


def _user_for_ticket(ticket: str) -> Any:
    try:
        data = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("s") != current_schema():
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    try:
        last_login = datetime.fromisoformat(str(data.get("l"))) if data.get("l") else None
    except ValueError:
        return None
    users = get_user_model().objects.filter(pk=user_id, is_active=True, customer__isnull=False)
    # Redeem atomically: one UPDATE moves last_login on only if it is still what the ticket saw.
    # Of parallel requests with the same ticket, PostgreSQL lets exactly one match; the others
    # re-check the row after it committed and update nothing.
    unused = users.filter(last_login=last_login) if last_login else users.filter(last_login__isnull=True)
    if unused.update(last_login=timezone.now()) != 1:
        return None
    return users.first()


@csrf_exempt
@xframe_options_exempt
@never_cache
def embed_login(request: HttpRequest) -> HttpResponse:
    form = CustomerLoginForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        code_sent = send_code_for_form(request, form, purpose=EMBED_LOGIN)
    elif (
        request.method == "POST"
        and form.is_valid()
        and form.require_code()
        and verify_code_for_form(form, purpose=EMBED_LOGIN)
    ):
        customer = customer_get_or_create(phone=form.cleaned_data["phone"])
        enter_url = reverse("portal:embed-enter") + "?" + urlencode({"ticket": _ticket_for(customer)})
        return _framable(
            render(
                request, "portals/customer/embed/done.html", {"customer": customer, "enter_url": enter_url}
            )
        )
    return _framable(
        render(request, "portals/customer/embed/login.html", {"form": form, "code_sent": code_sent})
    )


@never_cache
def embed_enter(request: HttpRequest) -> HttpResponse:
    """The top window arrives here from the login window with a ticket: sign in, go to the portal."""
    user = _user_for_ticket(request.GET.get("ticket", ""))
    if user is None:
        messages.error(request, _("That sign-in link has expired. Sign in again, please."))
        return redirect("portal:login")
    login(request, user, backend=AUTH_BACKEND)
    messages.success(request, _("You are signed in."))
    return redirect("portal:home")
