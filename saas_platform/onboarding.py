"""Public-site views for providers' people: signup (服务商入驻), sign-in, password reset by SMS.

Thin: parse a form, call one service, then hand the person off to their provider's host
(``portals.console.handoff``), where the console session lives. Every POST is CSRF-protected and
rate-limited per client IP (``tenants.ratelimit``).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.validators import normalize_phone
from integrations.sms.challenge import challenge_bits, challenge_issue, challenge_needed, challenge_passed
from integrations.sms.codes import CodeRefused, code_send, code_usage, code_verify
from portals.console.handoff import handoff_url
from saas_platform.forms import LoginForm, ResetPasswordForm, ResetRequestForm, SendCodeForm, SignupForm
from saas_platform.login_throttle import lockout_message, login_allowed, login_failed
from saas_platform.services import provider_signup, providers_signing_in
from tenants.models import Provider
from tenants.ratelimit import Verdict, client_ip, rate_limit, rate_limited
from tenants.selectors import phone_owns_a_provider, providers_for_phone, subdomain_availability
from tenants.services import staff_password_set

SESSION_CHOICES = "public_login_choices"
SESSION_RESET = "public_password_reset"
CHOICE_SECONDS = 300
RESET_SECONDS = 600


def _too_many() -> str:
    return _("Too many attempts from your network. Wait a few minutes and try again.")


def _send_code(request: HttpRequest, *, phone_raw: str, purpose: str) -> tuple[bool, str, str]:
    """(sent, message, reason) for the signup or reset code; shared by the JSON and form paths."""
    verdict = rate_limit(request, "send_code")
    if verdict == Verdict.UNAVAILABLE:  # the cache is down: SMS sends fail closed, and say so
        return (
            False,
            _("Text messages cannot be sent right now. Try again in a few minutes."),
            "sms_unavailable",
        )
    if verdict == Verdict.LIMITED:
        return False, _too_many(), "rate_limited"
    form = SendCodeForm({"phone": phone_raw})
    if not form.is_valid():
        return False, str(form.errors["phone"][0]), "invalid_phone"
    phone = form.cleaned_data["phone"]
    # Owners asking for a signup code and strangers asking for a reset code get the same answers
    # (limits included) as everyone else, and no text: nobody learns who has an account, and
    # nobody is texted for a code they cannot use.
    usage = code_usage(phone=phone, scope="public", ip=client_ip(request))
    if challenge_needed(usage) and not challenge_passed(
        token=request.POST.get("challenge", ""), nonce=request.POST.get("nonce", ""), phone=phone
    ):
        return (
            False,
            _("One moment: your browser is confirming this request, then the code is sent."),
            "challenge",
        )
    if purpose == "signup":
        deliver = not phone_owns_a_provider(phone=phone)
    else:
        deliver = bool(providers_for_phone(phone=phone))
    try:
        code_send(phone=phone, purpose=purpose, scope="public", ip=client_ip(request), deliver=deliver)
    except CodeRefused as exc:
        return False, exc.messages[0], exc.reason
    if purpose == "reset":
        return True, _("If this number belongs to a provider's staff, a code is on its way."), ""
    return True, _("A 6-digit code was sent by SMS. It is valid for 5 minutes."), ""


@require_POST
def send_code(request: HttpRequest) -> JsonResponse:
    """JSON: text a signup or password-reset code (used by the pages' small script)."""
    purpose = request.POST.get("purpose", "")
    if purpose not in {"signup", "reset"}:
        return JsonResponse(
            {"ok": False, "error": _("Unknown purpose."), "reason": "bad_request"}, status=400
        )
    sent, message, reason = _send_code(request, phone_raw=request.POST.get("phone", ""), purpose=purpose)
    if sent:
        return JsonResponse({"ok": True, "message": message})
    if reason == "challenge":  # near a limit: a small proof of work first (integrations.sms.challenge)
        phone = normalize_phone(request.POST.get("phone", ""))
        return JsonResponse(
            {
                "ok": False,
                "error": message,
                "reason": reason,
                "challenge": challenge_issue(phone=phone),
                "bits": challenge_bits(),
            },
            status=429,
        )
    limited = {"rate_limited", "too_soon", "daily_limit_phone", "daily_limit_ip", "daily_limit_scope"}
    status = 429 if reason in limited else 400
    if reason == "sms_unavailable":
        status = 503
    return JsonResponse({"ok": False, "error": message, "reason": reason}, status=status)


@require_GET
def subdomain_check(request: HttpRequest) -> JsonResponse:
    """JSON: is this subdomain free? Reasons: invalid, reserved, taken."""
    if rate_limited(request, "subdomain_check"):
        return JsonResponse(
            {"available": False, "reason": "rate_limited", "message": _too_many()}, status=429
        )
    result = subdomain_availability(request.GET.get("subdomain", ""))
    return JsonResponse(
        {
            "subdomain": result.subdomain,
            "available": result.available,
            "reason": result.reason,
            "message": result.message,
        }
    )


def _form_with_sent_code(request: HttpRequest, form_class: Any, purpose: str, **kwargs: Any) -> Any:
    """No-JavaScript path of the "send code" button: send, then redisplay what was typed."""
    sent, message, _reason = _send_code(request, phone_raw=request.POST.get("phone", ""), purpose=purpose)
    (messages.success if sent else messages.error)(request, message)
    initial = {k: v for k, v in request.POST.items() if "password" not in k and k != "csrfmiddlewaretoken"}
    return form_class(initial=initial, **kwargs)


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method != "POST":
        form = SignupForm()
    elif request.POST.get("action") == "send_code":
        form = _form_with_sent_code(request, SignupForm, "signup")
    else:
        form = SignupForm(request.POST)
        if rate_limited(request, "signup"):
            form.is_valid()
            form.add_error(None, _too_many())
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                provider = provider_signup(
                    phone=data["phone"],
                    code=data["code"],
                    name=data["name"],
                    subdomain=data["subdomain"],
                    password=data["password"],
                )
            except CodeRefused as exc:
                form.add_error("code", exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(handoff_url(provider=provider, phone=data["phone"], request=request))
    return render(request, "public/signup.html", {"form": form}, status=status)


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    status = 200
    form = LoginForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(request, "login"):
            form.is_valid()
            form.add_error(None, _too_many())
            status = 429
        elif form.is_valid():
            phone = form.cleaned_data["phone"]
            if not login_allowed(request, username=phone):
                form.add_error(None, lockout_message())
                return render(request, "public/login.html", {"form": form}, status=429)
            providers = providers_signing_in(phone=phone, password=form.cleaned_data["password"])
            if not providers:
                login_failed(request, username=phone)
            if len(providers) == 1:
                return redirect(handoff_url(provider=providers[0], phone=phone, request=request))
            if providers:
                request.session[SESSION_CHOICES] = {
                    "phone": phone,
                    "ids": [p.pk for p in providers],
                    "at": time.time(),
                }
                return redirect("login-choose")
            form.add_error(None, _("Wrong phone number or password."))
    return render(request, "public/login.html", {"form": form}, status=status)


def _fresh(state: Any, seconds: int) -> dict[str, Any] | None:
    """The session ``state`` if it is younger than ``seconds``, else None."""
    if isinstance(state, dict) and time.time() - float(state.get("at", 0)) < seconds:
        return state
    return None


@never_cache
def login_choose(request: HttpRequest) -> HttpResponse:
    """Several providers accepted the password: pick the console to open."""
    state = _fresh(request.session.get(SESSION_CHOICES), CHOICE_SECONDS)
    if state is None:
        request.session.pop(SESSION_CHOICES, None)
        messages.error(request, _("Please sign in again."))
        return redirect("login")
    providers = list(
        Provider.objects.filter(pk__in=state["ids"]).prefetch_related("domains").order_by("name")
    )
    if request.method == "POST":
        chosen = next((p for p in providers if str(p.pk) == request.POST.get("provider")), None)
        if chosen is not None:
            request.session.pop(SESSION_CHOICES, None)
            return redirect(handoff_url(provider=chosen, phone=state["phone"], request=request))
        messages.error(request, _("Choose one of the providers below."))
    return render(request, "public/login_choose.html", {"providers": providers})


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Step 1: phone and SMS code."""
    status = 200
    if request.method != "POST":
        form = ResetRequestForm()
    elif request.POST.get("action") == "send_code":
        form = _form_with_sent_code(request, ResetRequestForm, "reset")
    else:
        form = ResetRequestForm(request.POST)
        if rate_limited(request, "reset"):
            form.is_valid()
            form.add_error(None, _too_many())
            status = 429
        elif form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                code_verify(phone=phone, purpose="reset", scope="public", code=form.cleaned_data["code"])
            except CodeRefused as exc:
                form.add_error("code", exc)
            else:
                if providers_for_phone(phone=phone):
                    request.session[SESSION_RESET] = {"phone": phone, "at": time.time()}
                    return redirect("password-reset-new")
                form.add_error("phone", _("This phone number is not staff of any provider."))
    return render(request, "public/password_reset.html", {"form": form}, status=status)


@never_cache
def password_reset_new(request: HttpRequest) -> HttpResponse:
    """Step 2: choose the provider (when several) and the new password; then signed in there."""
    state = _fresh(request.session.get(SESSION_RESET), RESET_SECONDS)
    if state is None:
        request.session.pop(SESSION_RESET, None)
        messages.error(request, _("Your code check has expired. Ask for a new code."))
        return redirect("password-reset")
    phone = state["phone"]
    providers = providers_for_phone(phone=phone)
    form = ResetPasswordForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        provider = next(p for p in providers if p.pk == form.cleaned_data["provider"])
        try:
            staff_password_set(provider=provider, phone=phone, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(SESSION_RESET, None)
            return HttpResponseRedirect(handoff_url(provider=provider, phone=phone, request=request))
    return render(
        request, "public/password_reset_new.html", {"form": form, "providers": providers, "phone": phone}
    )
