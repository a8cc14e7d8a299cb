"""微信公众号 in the console: connect the official account (Open Platform authorization or pasted
credentials), notification templates and auto-replies, the menu editor, and a staff member's own
"receive notices on WeChat" binding. Thin views: parse, call one service, render."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffRole
from integrations import crypto
from integrations.models import MenuButtonKind, StaffWeChatBinding, WeChatConnection, WeChatMessageStyle
from integrations.wechat import accounts as wechat_accounts
from integrations.wechat import menu as wechat_menu
from integrations.wechat.views import staff_bind_token
from portals.access import current_staff, staff_required
from portals.console.app_binding import (
    AppCredentialsForm,
    TemplateSlotsForm,
    secret_field,
    template_choice,
    template_initial,
)
from portals.form_post import saved_or_shown
from portals.qr import qr_response
from portals.web import absolute_url

ADMIN = StaffRole.ADMIN
AUTH_STATE = "wechat_component_state"


class ManualConnectForm(AppCredentialsForm):
    token = secret_field(
        gettext_lazy("Token"),
        max_length=32,
        help_text=gettext_lazy(
            "The Token you set under Settings → Basic configuration → Server configuration."
        ),
    )
    aes_key = secret_field(
        gettext_lazy("EncodingAESKey"),
        max_length=43,
        help_text=gettext_lazy("Needed for the safe (encrypted) message mode."),
    )


class NoticeSettingsForm(TemplateSlotsForm):
    message_style = forms.ChoiceField(
        label=gettext_lazy("Notices are sent as"), choices=WeChatMessageStyle.choices
    )
    welcome_text = forms.CharField(
        label=gettext_lazy("Welcome message for new followers"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Empty: a greeting with the link to report a fault."),
    )
    default_reply = forms.CharField(
        label=gettext_lazy("Reply to other messages"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Order numbers and “查询” are always answered with the order status."),
    )


def _settings_initial(account: Any) -> dict[str, Any]:
    return {
        "message_style": account.message_style,
        "welcome_text": account.welcome_text,
        "default_reply": account.default_reply,
        **template_initial(account.template_ids),
    }


def _page(request: HttpRequest, *, manual: ManualConnectForm, notice: NoticeSettingsForm) -> HttpResponse:
    account = wechat_accounts.account_get()
    provider: Any = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "portals/console/wechat/home.html",
        {
            "account": account,
            "allowed": wechat_accounts.wechat_allowed(provider),
            "component": wechat_accounts.component_available(),
            "manual_form": manual,
            "notice_form": notice,
            "callback_url": absolute_url(request, reverse("wechat-callback")),
            "secret_hint": crypto.masked(account.secret) if account.secret_sealed else "",
            "is_component": account.connection == WeChatConnection.COMPONENT,
        },
    )


@staff_required(ADMIN)
def wechat_home(request: HttpRequest) -> HttpResponse:
    actor = current_staff(request)
    provider: Any = request.tenant  # type: ignore[attr-defined]
    account = wechat_accounts.account_get()
    manual = ManualConnectForm(
        initial={"appid": account.appid if account.connection == WeChatConnection.MANUAL else ""}
    )
    notice = NoticeSettingsForm(initial=_settings_initial(account))
    action = request.POST.get("action", "")
    done: HttpResponse | None = None
    if request.method == "POST" and action == "manual":
        manual = ManualConnectForm(request.POST)
        done = saved_or_shown(
            request,
            manual,
            lambda data: wechat_accounts.account_connect_manual(actor=actor, provider=provider, **data),
            done=_("The official account is connected."),
            page="console:wechat",
        )
    elif request.method == "POST" and action == "settings":
        notice = NoticeSettingsForm(request.POST)
        done = saved_or_shown(
            request,
            notice,
            lambda data: wechat_accounts.account_settings_update(
                actor=actor,
                message_style=data["message_style"],
                template_ids=template_choice(data),
                welcome_text=data["welcome_text"],
                default_reply=data["default_reply"],
            ),
            done=_("Saved."),
            page="console:wechat",
        )
    elif request.method == "POST" and action == "test":
        try:
            wechat_accounts.send_test_message(actor=actor, account=account)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("WeChat accepted our credentials: the connection works."))
        return redirect("console:wechat")
    elif request.method == "POST" and action == "disconnect":
        wechat_accounts.account_disconnect(actor=actor, provider=provider)
        messages.success(request, _("The official account is disconnected."))
        return redirect("console:wechat")
    if done is not None:
        return done
    return _page(request, manual=manual, notice=notice)


@staff_required(ADMIN)
def wechat_authorize(request: HttpRequest) -> HttpResponse:
    """授权: a confirmation page; its button takes the admin to WeChat's authorization page."""
    if request.method == "POST":
        state = secrets.token_urlsafe(16)
        request.session[AUTH_STATE] = state
        redirect_uri = absolute_url(
            request, reverse("console:wechat-authorized") + "?" + urlencode({"state": state})
        )
        try:
            url = wechat_accounts.component_authorize_url(
                actor=current_staff(request),
                provider=request.tenant,  # type: ignore[attr-defined]
                redirect_uri=redirect_uri,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("console:wechat")
        return HttpResponseRedirect(url)
    return render(
        request,
        "portals/console/wechat/authorize.html",
        {"component": wechat_accounts.component_available(), "account": wechat_accounts.account_get()},
    )


@staff_required(ADMIN)
def wechat_authorized(request: HttpRequest) -> HttpResponse:
    """WeChat sends the admin back here with ``auth_code`` after the QR scan."""
    expected = request.session.pop(AUTH_STATE, None)
    auth_code = request.GET.get("auth_code", "")
    error = ""
    if not auth_code:
        error = _("WeChat did not hand back an authorization. Start again from “Authorize”.")
    elif not expected or request.GET.get("state") != expected:
        error = _("This authorization was not started from this browser. Start again from “Authorize”.")
    else:
        try:
            account = wechat_accounts.account_connect_component(
                actor=current_staff(request),
                provider=request.tenant,  # type: ignore[attr-defined]
                auth_code=auth_code,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("“%(name)s” is connected.") % {"name": account.nickname or account.appid}
            )
            return redirect("console:wechat")
    return render(request, "portals/console/wechat/authorized.html", {"error": error})


# --- Menu editor ------------------------------------------------------------------------------------


def _buttons_from_post(data: Any) -> list[dict[str, Any]]:
    buttons = []
    for i in range(wechat_menu.MAX_TOP):
        button: dict[str, Any] = {
            key: data.get(f"b{i}_{key}", "").strip() for key in ("name", "kind", "url", "page", "reply")
        }
        button["sub"] = [
            {key: data.get(f"s{i}_{j}_{key}", "").strip() for key in ("name", "kind", "url", "page", "reply")}
            for j in range(wechat_menu.MAX_SUB)
        ]
        if button["kind"] != MenuButtonKind.PARENT:
            button["sub"] = []
        buttons.append(button)
    return buttons


def _grid(buttons: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Three top slots with five sub slots each, for the form and the phone preview."""
    grid = []
    for i in range(wechat_menu.MAX_TOP):
        top = dict(buttons[i]) if i < len(buttons) else {}
        subs = list(top.get("sub") or [])
        top["index"] = i
        top["prefix"] = f"b{i}"
        top["errors"] = errors.get(str(i), [])
        top["subs"] = [
            {
                **(subs[j] if j < len(subs) else {}),
                "index": j,
                "prefix": f"s{i}_{j}",
                "errors": errors.get(f"{i}.{j}", []),
            }
            for j in range(wechat_menu.MAX_SUB)
        ]
        grid.append(top)
    return grid


def _menu_page(
    request: HttpRequest, buttons: list[dict[str, Any]], errors: dict[str, list[str]]
) -> HttpResponse:
    menu = wechat_menu.menu_get()
    account = wechat_accounts.account_get()
    return render(
        request,
        "portals/console/wechat/menu.html",
        {
            "grid": _grid(buttons, errors),
            "general_errors": errors.get("__all__", []),
            "kinds": MenuButtonKind.choices,
            "sub_kinds": [c for c in MenuButtonKind.choices if c[0] != MenuButtonKind.PARENT],
            "pages": [(key, label) for key, (label, _routes, _path) in wechat_menu.PAGES.items()],
            "menu": menu,
            "account": account,
        },
    )


@staff_required(ADMIN)
def wechat_menu_edit(request: HttpRequest) -> HttpResponse:
    actor = current_staff(request)
    if request.method != "POST":
        return _menu_page(request, list(wechat_menu.menu_get().draft), {})
    action = request.POST.get("action", "save")
    buttons = _buttons_from_post(request.POST)
    try:
        if action == "pull":
            wechat_menu.menu_pull(actor=actor)
            messages.success(request, _("Loaded the menu WeChat shows now. Publish to keep changes."))
        elif action == "delete":
            wechat_menu.menu_delete(actor=actor)
            messages.success(request, _("The menu was removed from WeChat. Your draft is kept."))
        elif action == "publish":
            host = request.tenant.primary_host or request.get_host().split(":")[0]  # type: ignore[attr-defined]
            wechat_menu.menu_publish(actor=actor, host=host, buttons=buttons)
            messages.success(request, _("Published. Followers see the new menu within a few minutes."))
        else:
            wechat_menu.menu_save_draft(actor=actor, buttons=buttons)
            messages.success(request, _("Draft saved."))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _menu_page(request, buttons, errors)
    return redirect("console:wechat-menu")


# --- My WeChat (any staff member) ----------------------------------------------------------------


def _bind_link(request: HttpRequest) -> str:
    token = staff_bind_token(current_staff(request))
    return absolute_url(request, reverse("wechat-staff-bind", kwargs={"token": token}))


@staff_required()
def wechat_me(request: HttpRequest) -> HttpResponse:
    staff = current_staff(request)
    if request.method == "POST" and request.POST.get("action") == "unbind":
        wechat_accounts.staff_wechat_unbind(staff=staff)
        messages.success(request, _("WeChat notices are off for you."))
        return redirect("console:wechat-me")
    account = wechat_accounts.account_get()
    return render(
        request,
        "portals/console/wechat/me.html",
        {
            "binding": StaffWeChatBinding.objects.filter(staff=staff).first(),
            "connected": account.is_connected,
            "bind_link": _bind_link(request) if account.is_connected else "",
        },
    )


@staff_required()
def wechat_me_qr(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {"png", "svg"} or not wechat_accounts.account_get().is_connected:
        raise Http404
    return qr_response(_bind_link(request), kind=kind, filename="wechat-notices")
