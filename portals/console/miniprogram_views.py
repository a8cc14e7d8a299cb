"""微信小程序 in the console: bind the provider's mini-program (AppID + AppSecret, sealed), check the
connection (WeChat's answer in words), and the 葵花码 — the provider's portal code, engineer
registration, each customer company's registration code, and a staff member's one-time binding
code. Thin views: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import CustomerCompany, StaffRole
from accounts.selectors import provider_settings
from integrations import crypto
from integrations.miniprogram import accounts as mp_accounts
from integrations.miniprogram.codes import miniprogram_code_get, miniprogram_code_png
from integrations.miniprogram.models import MiniProgramCode, MiniProgramCodeKind
from integrations.miniprogram.signin import staff_bind_scene_issue
from portals.access import current_staff, staff_required
from portals.console.app_binding import (
    AppCredentialsForm,
    TemplateSlotsForm,
    template_choice,
    template_initial,
)
from portals.form_post import saved_or_shown
from portals.qr import qr_response

ADMIN = StaffRole.ADMIN
BACK_OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER)


class MiniProgramConnectForm(AppCredentialsForm):
    pass


class SubscribeTemplatesForm(TemplateSlotsForm):
    """One subscribe message template per notification slot (same keywords as the slot's fields)."""


def _code_target(kind: str) -> str:
    if kind == MiniProgramCodeKind.PORTAL:
        return ""
    if kind == MiniProgramCodeKind.ENGINEER:
        token = provider_settings().engineer_join_token
        if not token:
            raise ValidationError(
                _("Engineer self-registration is switched off (Staff → registration link).")
            )
        return token
    raise Http404


@staff_required(ADMIN)
def miniprogram_home(request: HttpRequest) -> HttpResponse:
    actor = current_staff(request)
    provider: Any = request.tenant  # type: ignore[attr-defined]
    account = mp_accounts.miniprogram_account_get()
    form = MiniProgramConnectForm(initial={"appid": account.appid})
    templates = SubscribeTemplatesForm(initial=template_initial(account.subscribe_template_ids))
    action = request.POST.get("action", "")
    done: HttpResponse | None = None
    if request.method == "POST" and action == "connect":
        form = MiniProgramConnectForm(request.POST)
        done = saved_or_shown(
            request,
            form,
            lambda data: mp_accounts.miniprogram_connect(actor=actor, provider=provider, **data),
            done=_("The mini-program is bound."),
            page="console:miniprogram",
        )
    elif request.method == "POST" and action == "templates":
        templates = SubscribeTemplatesForm(request.POST)
        done = saved_or_shown(
            request,
            templates,
            lambda data: mp_accounts.miniprogram_templates_update(
                actor=actor, template_ids=template_choice(data)
            ),
            done=_("Saved."),
            page="console:miniprogram",
        )
    elif request.method == "POST" and action == "check":
        problem = mp_accounts.miniprogram_check(actor=actor)
        if problem:
            messages.error(request, problem)
        else:
            messages.success(
                request, _("WeChat accepted the mini-program's credentials: the connection works.")
            )
        return redirect("console:miniprogram")
    elif request.method == "POST" and action == "disconnect":
        mp_accounts.miniprogram_disconnect(actor=actor)
        messages.success(request, _("The mini-program is unbound."))
        return redirect("console:miniprogram")
    elif request.method == "POST" and action in {"code", "regenerate"}:
        kind = request.POST.get("kind", "")
        try:
            miniprogram_code_get(kind=kind, target=_code_target(kind), regenerate=action == "regenerate")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The mini-program code is ready."))
        return redirect("console:miniprogram")
    if done is not None:
        return done
    codes = {c.kind: c for c in MiniProgramCode.objects.filter(kind__in=["portal", "engineer"]) if c.image}
    return render(
        request,
        "portals/console/miniprogram/home.html",
        {
            "account": account,
            "form": form,
            "templates_form": templates,
            "secret_hint": crypto.masked(account.secret) if account.secret_sealed else "",
            "portal_code": codes.get(MiniProgramCodeKind.PORTAL),
            "engineer_code": codes.get(MiniProgramCodeKind.ENGINEER),
            "engineer_join": bool(provider_settings().engineer_join_token),
        },
    )


def _png(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{filename}.png"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@staff_required(*BACK_OFFICE)
def miniprogram_code_image(request: HttpRequest, kind: str) -> HttpResponse:
    """The stored portal / engineer-registration code (404 until generated on the page)."""
    if kind not in {MiniProgramCodeKind.PORTAL, MiniProgramCodeKind.ENGINEER}:
        raise Http404
    code = MiniProgramCode.objects.filter(kind=kind).exclude(image="").first()
    if code is None:
        raise Http404
    return _png(miniprogram_code_png(code), f"miniprogram-{kind}")


@staff_required(*BACK_OFFICE)
def miniprogram_company_code(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer company's registration 葵花码 (generated on first request)."""
    company = get_object_or_404(CustomerCompany, pk=pk)
    try:
        code = miniprogram_code_get(kind=MiniProgramCodeKind.COMPANY, target=company.registration_token)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
    return _png(miniprogram_code_png(code), f"miniprogram-company-{company.pk}")


@staff_required()
def miniprogram_me_code(request: HttpRequest) -> HttpResponse:
    """A one-time QR (10 minutes) holding a staff-binding scene: scanned with the mini-program's own
    scanner ("Bind as staff"), it makes that WeChat user me. Plain QR, so no WeChat call is needed."""
    response = qr_response(staff_bind_scene_issue(staff=current_staff(request)), kind="png", filename="bind")
    response["Content-Disposition"] = 'inline; filename="bind.png"'
    response["Cache-Control"] = "no-store"
    return response
