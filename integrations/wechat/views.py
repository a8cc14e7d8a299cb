"""WeChat endpoints on the provider's host: the message callback and the portal's WeChat sign-in.

Thin views: parse, call one function, answer. The callback is CSRF-exempt because WeChat's
signature (checked in ``callback.handle``) is what authenticates it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.models import StaffMember
from accounts.selectors import customer_for_user
from accounts.services import customer_get_or_create
from accounts.validators import normalize_phone
from integrations.sms.codes import CodeRefused, code_send, code_verify
from integrations.wechat import callback as wechat_callback
from integrations.wechat import oauth
from integrations.wechat.accounts import (
    account_get,
    current_provider,
    current_schema,
    customer_wechat_bind,
    language_set,
    staff_wechat_bind,
    wechat_allowed,
)
from tenants.client_ip import client_ip
from tenants.domains import portal_url

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
BIND_PURPOSE = "wechat_bind"
PENDING_OPENID = "wechat_pending_openid"
PENDING_PROFILE = "wechat_pending_nickname"
TRIED_FLAG = "wechat_oauth_tried"
STAFF_BIND_SALT = "integrations.wechat.staff-bind"
STAFF_BIND_MAX_AGE = 900


def _host(request: HttpRequest) -> str:
    tenant: Any = getattr(request, "tenant", None)
    return (tenant.primary_host if tenant is not None else "") or request.get_host().split(":")[0]


def _safe_next(request: HttpRequest, value: str, default: str = "/") -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=False
    ):
        return value
    return default


def _portal_login(next_url: str) -> str:
    try:
        return reverse("portal:login") + "?" + urlencode({"next": next_url})
    except NoReverseMatch:
        return next_url


# --- Message callback ----------------------------------------------------------------------------


@csrf_exempt
def callback(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    answer = wechat_callback.handle(
        account=account_get(),
        method=request.method,
        query={key: str(value) for key, value in request.GET.items()},
        body=request.body,
        host=_host(request),
    )
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


# --- OAuth sign-in -------------------------------------------------------------------------------


@never_cache
def oauth_start(request: HttpRequest) -> HttpResponse:
    """Sign in through WeChat (inside WeChat's browser); elsewhere, the portal's SMS sign-in."""
    next_url = _safe_next(request, request.GET.get("next", ""))
    scope = "userinfo" if request.GET.get("profile") == "1" else "base"
    account = account_get()
    usable = account.is_connected and wechat_allowed(current_provider())
    if not usable or not oauth.is_wechat_browser(request.META.get("HTTP_USER_AGENT", "")):
        return redirect(_portal_login(next_url))
    if scope == "base" and customer_for_user(user=request.user) is not None:
        return redirect(next_url)
    request.session[TRIED_FLAG] = True
    state = oauth.state_issue(request.session, purpose="login", next_url=next_url, scope=scope)
    redirect_uri = portal_url(_host(request), reverse("wechat-oauth-callback"))
    return HttpResponseRedirect(
        oauth.authorize_url(account, redirect_uri=redirect_uri, scope=scope, state=state)
    )


@never_cache
def oauth_callback(request: HttpRequest) -> HttpResponse:
    try:
        state = oauth.state_accept(request.session, request.GET.get("state", ""))
        user = oauth.exchange_code(account_get(), code=request.GET.get("code", ""), scope=state.scope)
    except oauth.OAuthFailed:
        return render(
            request,
            "integrations/wechat/oauth_failed.html",
            {"retry": reverse("wechat-oauth-start")},
            status=400,
        )
    if state.purpose == "staff_bind":
        staff = StaffMember.objects.filter(pk=state.staff_id or 0, is_active=True).first()
        if staff is None:
            raise Http404
        staff_wechat_bind(staff=staff, openid=user.openid)
        return render(request, "integrations/wechat/staff_bound.html", {"staff": staff})
    next_url = _safe_next(request, state.next)
    from accounts.models import Customer

    customer = Customer.objects.filter(wechat_openid=user.openid).select_related("user").first()
    if customer is not None:
        login(request, customer.user, backend=AUTH_BACKEND)
        return redirect(next_url)
    request.session[PENDING_OPENID] = user.openid
    if user.nickname:
        request.session[PENDING_PROFILE] = user.nickname
    return redirect(reverse("wechat-bind") + "?" + urlencode({"next": next_url}))


class BindForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=60, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone") or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


@never_cache
def bind(request: HttpRequest) -> HttpResponse:
    """Unknown openid: prove the phone number once (SMS code), then WeChat signs you in."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    openid = request.session.get(PENDING_OPENID)
    if not openid:
        return redirect(reverse("wechat-oauth-start") + "?" + urlencode({"next": next_url}))
    form = BindForm(request.POST or None, initial={"name": request.session.get(PENDING_PROFILE, "")})
    code_sent = False
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "send":
        form.errors.clear()
        try:
            code_send(
                phone=request.POST.get("phone", ""),
                purpose=BIND_PURPOSE,
                scope=current_schema(),
                ip=client_ip(request),
            )
            code_sent = True
        except CodeRefused as exc:
            form.add_error("phone" if exc.reason == "invalid_phone" else None, exc.messages)
    elif request.method == "POST" and form.is_valid():
        code = (form.cleaned_data.get("code") or "").strip()
        if not code:
            form.add_error("code", _("Enter the verification code we sent you."))
        else:
            try:
                code_verify(
                    phone=form.cleaned_data["phone"],
                    purpose=BIND_PURPOSE,
                    scope=current_schema(),
                    code=code,
                )
            except CodeRefused as exc:
                form.add_error("code", exc.messages)
            else:
                customer = customer_get_or_create(
                    phone=form.cleaned_data["phone"], name=form.cleaned_data.get("name", "")
                )
                customer_wechat_bind(customer=customer, openid=openid)
                language = get_language() or "zh-hans"
                language_set(customer=customer, language="en" if language.startswith("en") else "zh-hans")
                request.session.pop(PENDING_OPENID, None)
                request.session.pop(PENDING_PROFILE, None)
                login(request, customer.user, backend=AUTH_BACKEND)
                return redirect(next_url)
    profile_url = (
        reverse("wechat-oauth-start") + "?" + urlencode({"next": request.get_full_path(), "profile": "1"})
    )
    return render(
        request,
        "integrations/wechat/bind.html",
        {"form": form, "code_sent": code_sent, "next": next_url, "profile_url": profile_url},
    )


# --- Staff: receive notices on WeChat ------------------------------------------------------------


def staff_bind_token(staff: StaffMember) -> str:
    return signing.dumps({"s": staff.pk, "schema": current_schema()}, salt=STAFF_BIND_SALT)


@never_cache
def staff_bind(request: HttpRequest, token: str) -> HttpResponse:
    """Opened by scanning the console's QR code with WeChat: binds that staff member's openid."""
    try:
        data = signing.loads(token, salt=STAFF_BIND_SALT, max_age=STAFF_BIND_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if data.get("schema") != current_schema():
        raise Http404
    staff = StaffMember.objects.filter(pk=data.get("s"), is_active=True).first()
    account = account_get()
    if staff is None or not account.is_connected:
        raise Http404
    if not oauth.is_wechat_browser(request.META.get("HTTP_USER_AGENT", "")):
        return render(request, "integrations/wechat/open_in_wechat.html", {"staff": staff})
    state = oauth.state_issue(
        request.session, purpose="staff_bind", next_url="/", scope="base", staff_id=staff.pk
    )
    redirect_uri = portal_url(_host(request), reverse("wechat-oauth-callback"))
    return HttpResponseRedirect(
        oauth.authorize_url(account, redirect_uri=redirect_uri, scope="base", state=state)
    )


def silent_login_applies(request: HttpRequest) -> bool:
    """Should this portal request go through WeChat's silent sign-in first? (the middleware)"""
    if request.method != "GET" or getattr(request, "tenant", None) is None:
        return False
    if not oauth.is_wechat_browser(request.META.get("HTTP_USER_AGENT", "")):
        return False
    path = request.path
    if any(path.startswith(p) for p in EXCLUDED_PREFIXES) or path.startswith(str(settings.STATIC_URL)):
        return False
    if request.session.get(TRIED_FLAG) or request.user.is_authenticated:
        return False
    from integrations.wechat.accounts import account_connected_cached

    return account_connected_cached()


EXCLUDED_PREFIXES = (
    "/console/",
    "/api/",
    "/wechat/",
    "/media/",
    "/i18n/",
    "/healthz",
    "/internal/",
    "/embed/",
    "/login/",
)
