"""公众号菜单: the console's menu draft, checked against WeChat's limits, turned into WeChat's JSON,
published (``menu/create``), pulled back (``menu/get``) or removed (``menu/delete``).

A draft button is ``{"name", "kind", "url", "page", "reply", "sub": [...]}`` with ``kind`` one of
``MenuButtonKind``: ``parent`` (has 1–5 ``sub`` buttons), ``scan`` (扫码报修 → ``scancode_push``),
``view`` (a web page), ``page`` (a built-in page: report, my orders, query, my info — opened
through the WeChat sign-in so the user lands signed in) and ``reply`` (a ``click`` whose key maps
to the auto-reply text kept in ``WeChatMenu.replies``).

WeChat's limits, checked before publishing (with the error in words): 1–3 top-level buttons, ≤ 5
sub-buttons each, top-level names ≤ 16 bytes, sub-button names ≤ 60 bytes, keys ≤ 128 bytes,
links ≤ 1024 bytes and http(s).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wechatpy.exceptions import WeChatClientException

from accounts.models import StaffMember, StaffRole
from integrations.models import MenuButtonKind, WeChatMenu
from integrations.wechat.accounts import account_get
from integrations.wechat.client import account_client
from integrations.wechat.errors import describe
from tenants.domains import portal_url

MAX_TOP = 3
MAX_SUB = 5
TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60
KEY_BYTES = 128
URL_BYTES = 1024
REPLY_CHARS = 600
SCAN_KEY = "scan_report"

# Built-in function pages (seed: 直接报修入口、报修列表入口、报修查询入口、我的信息入口):
# (key, label, candidate portal route names, fallback path).
PAGES: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "report": (gettext_lazy("Report a fault"), ("portal:report",), "/report/"),
    "orders": (gettext_lazy("My orders"), ("portal:orders", "portal:my-orders"), "/orders/"),
    "query": (gettext_lazy("Look up an order"), ("portal:query", "portal:order-query"), "/query/"),
    # Until the portal has a profile page, "my info" opens the person's message centre.
    "me": (
        gettext_lazy("My info"),
        ("portal:me", "portal:profile", "portal:account", "portal:messages"),
        "/me/",
    ),
}


def page_path(page: str) -> str:
    _label, routes, fallback = PAGES[page]
    for name in routes:
        try:
            return reverse(name, urlconf=settings.ROOT_URLCONF)
        except NoReverseMatch:
            continue
    return fallback


def menu_get() -> WeChatMenu:
    menu = WeChatMenu.objects.order_by("pk").first()
    return menu if menu is not None else WeChatMenu.objects.create()


def _bytes(value: str) -> int:
    return len(value.encode("utf-8"))


def _clean_button(
    raw: dict[str, Any], *, top: bool, index: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    name = str(raw.get("name") or "").strip()
    kind = str(raw.get("kind") or "").strip()
    button: dict[str, Any] = {"name": name, "kind": kind}
    where = index
    if not name:
        errors.setdefault(where, []).append(_("Give the button a name."))
    elif _bytes(name) > (TOP_NAME_BYTES if top else SUB_NAME_BYTES):
        if top:
            errors.setdefault(where, []).append(
                _(
                    "“%(name)s” is too long for a top-level button: "
                    "at most 16 bytes (4 Chinese characters or 16 letters)."
                )
                % {"name": name}
            )
        else:
            errors.setdefault(where, []).append(
                _(
                    "“%(name)s” is too long for a sub-button: "
                    "at most 60 bytes (20 Chinese characters or 60 letters)."
                )
                % {"name": name}
            )
    allowed = set(MenuButtonKind.values) - (set() if top else {MenuButtonKind.PARENT})
    if kind not in allowed:
        errors.setdefault(where, []).append(_("Choose what the button does."))
        return button
    if kind == MenuButtonKind.VIEW:
        url = str(raw.get("url") or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.setdefault(where, []).append(_("Enter a web address starting with http:// or https://."))
        elif _bytes(url) > URL_BYTES:
            errors.setdefault(where, []).append(_("The web address is too long (at most 1024 bytes)."))
        button["url"] = url
    elif kind == MenuButtonKind.PAGE:
        page = str(raw.get("page") or "")
        if page not in PAGES:
            errors.setdefault(where, []).append(_("Choose a built-in page."))
        button["page"] = page
    elif kind == MenuButtonKind.REPLY:
        reply = str(raw.get("reply") or "").strip()
        if not reply:
            errors.setdefault(where, []).append(_("Enter the text to reply with."))
        elif len(reply) > REPLY_CHARS:
            errors.setdefault(where, []).append(_("The reply can be at most 600 characters."))
        button["reply"] = reply
    elif kind == MenuButtonKind.PARENT:
        subs = [(n, s) for n, s in enumerate(raw.get("sub") or []) if (s.get("name") or s.get("kind"))]
        if not subs:
            errors.setdefault(where, []).append(_("A sub-menu needs at least one button."))
        elif len(subs) > MAX_SUB:
            errors.setdefault(where, []).append(_("A sub-menu can have at most 5 buttons."))
        button["sub"] = [
            _clean_button(sub, top=False, index=f"{index}.{n}", errors=errors) for n, sub in subs[:MAX_SUB]
        ]
    return button


def menu_validate(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The draft cleaned, or ``ValidationError`` keyed by button position ("0", "1.2" …)."""
    used = [(n, b) for n, b in enumerate(buttons) if (b.get("name") or b.get("kind"))]
    errors: dict[str, list[str]] = {}
    if not used:
        errors["__all__"] = [_("Add at least one button.")]
    elif len(used) > MAX_TOP:
        errors["__all__"] = [_("A menu has at most 3 top-level buttons.")]
    cleaned = [_clean_button(b, top=True, index=str(n), errors=errors) for n, b in used[:MAX_TOP]]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _oauth_entry(host: str, path: str) -> str:
    """A built-in page opened from the menu goes through the WeChat sign-in first."""
    try:
        start = reverse("wechat-oauth-start", urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return portal_url(host, path)
    return portal_url(host, start + "?" + urlencode({"next": path}))


def to_wechat(buttons: list[dict[str, Any]], *, host: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(WeChat's ``{"button": [...]}``, auto-reply texts by click key) for a cleaned draft."""
    replies: dict[str, str] = {}
    counter = [0]

    def convert(button: dict[str, Any]) -> dict[str, Any]:
        kind = button["kind"]
        name = button["name"]
        if kind == MenuButtonKind.PARENT:
            return {"name": name, "sub_button": [convert(sub) for sub in button["sub"]]}
        if kind == MenuButtonKind.SCAN:
            return {"type": "scancode_push", "name": name, "key": SCAN_KEY}
        if kind == MenuButtonKind.VIEW:
            return {"type": "view", "name": name, "url": button["url"]}
        if kind == MenuButtonKind.PAGE:
            return {"type": "view", "name": name, "url": _oauth_entry(host, page_path(button["page"]))}
        counter[0] += 1
        key = f"reply_{counter[0]}"
        replies[key] = button["reply"]
        return {"type": "click", "name": name, "key": key}

    return {"button": [convert(b) for b in buttons]}, replies


def from_wechat(data: dict[str, Any] | None, *, replies: dict[str, str]) -> list[dict[str, Any]]:
    """WeChat's current menu (``menu/get``) as a draft; unknown button types become links or
    auto-replies with the text we know for their key."""
    if not data:
        return []
    menu = data.get("menu") or data
    buttons = menu.get("button") or []

    def convert(raw: dict[str, Any]) -> dict[str, Any]:
        subs = raw.get("sub_button")
        if isinstance(subs, dict):  # the "selfmenu" shape
            subs = subs.get("list")
        if subs:
            return {
                "name": raw.get("name", ""),
                "kind": MenuButtonKind.PARENT,
                "sub": [convert(s) for s in subs],
            }
        kind = raw.get("type", "")
        if kind in ("scancode_push", "scancode_waitmsg"):
            return {"name": raw.get("name", ""), "kind": MenuButtonKind.SCAN}
        if kind == "view":
            url = str(raw.get("url", ""))
            for page in PAGES:
                if f"next={page_path(page).replace('/', '%2F')}" in url:
                    return {"name": raw.get("name", ""), "kind": MenuButtonKind.PAGE, "page": page}
            return {"name": raw.get("name", ""), "kind": MenuButtonKind.VIEW, "url": url}
        key = str(raw.get("key", ""))
        return {"name": raw.get("name", ""), "kind": MenuButtonKind.REPLY, "reply": replies.get(key, "")}

    return [convert(b) for b in buttons]


def _require_admin(actor: StaffMember) -> None:
    if actor.role != StaffRole.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only an administrator may change the WeChat menu."))


@transaction.atomic
def menu_save_draft(*, actor: StaffMember, buttons: list[dict[str, Any]]) -> WeChatMenu:
    _require_admin(actor)
    cleaned = menu_validate(buttons)
    menu = WeChatMenu.objects.select_for_update().get(pk=menu_get().pk)
    menu.draft = cleaned
    menu.save(update_fields=["draft", "updated_at"])
    return menu


def _connected_client() -> Any:
    account = account_get()
    if not account.is_connected:
        raise ValidationError(_("Connect the WeChat official account first."))
    return account_client(account)


def menu_publish(*, actor: StaffMember, host: str, buttons: list[dict[str, Any]] | None = None) -> WeChatMenu:
    """Check, save and publish the menu (``menu/create``). WeChat's refusal comes back in words."""
    _require_admin(actor)
    menu = menu_get()
    cleaned = menu_validate(buttons if buttons is not None else list(menu.draft))
    payload, replies = to_wechat(cleaned, host=host)
    client = _connected_client()
    try:
        client.menu.create(payload)
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc
    with transaction.atomic():
        menu = WeChatMenu.objects.select_for_update().get(pk=menu.pk)
        menu.draft = cleaned
        menu.published = payload["button"]
        menu.replies = replies
        menu.published_at = timezone.now()
        menu.published_by = actor
        menu.save()
    return menu


def menu_pull(*, actor: StaffMember) -> WeChatMenu:
    """Replace the draft by the menu WeChat shows now (``menu/get``)."""
    _require_admin(actor)
    client = _connected_client()
    try:
        data = client.menu.get()
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc
    with transaction.atomic():
        menu = WeChatMenu.objects.select_for_update().get(pk=menu_get().pk)
        menu.draft = from_wechat(data, replies=dict(menu.replies or {}))
        menu.save(update_fields=["draft", "updated_at"])
    return menu


def menu_delete(*, actor: StaffMember) -> WeChatMenu:
    """Remove the menu from WeChat (``menu/delete``); the draft stays for later."""
    _require_admin(actor)
    client = _connected_client()
    try:
        client.menu.delete()
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc
    with transaction.atomic():
        menu = WeChatMenu.objects.select_for_update().get(pk=menu_get().pk)
        menu.published = []
        menu.published_at = None
        menu.save(update_fields=["published", "published_at", "updated_at"])
    return menu


def reply_for_key(key: str) -> str:
    menu = WeChatMenu.objects.order_by("pk").first()
    return str((menu.replies or {}).get(key, "")) if menu else ""
