"""Binding the provider's mini-program (appid + secret, sealed like the official account's) and
checking the connection against WeChat with the error in words (never the secret, never a raw
exception). Gated by the plan like the official account (``billing.entitlements`` "wechat")."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from accounts.models import StaffMember, StaffRole
from integrations.miniprogram.client import miniprogram_client
from integrations.miniprogram.errors import describe
from integrations.miniprogram.models import MiniProgramAccount, MiniProgramConnection
from integrations.wechat import tokens
from integrations.wechat.accounts import APPID_RE, SECRET_RE, TEMPLATE_ID_RE, wechat_allowed
from integrations.wechat.client import verify_credentials
from tenants.models import Provider


class MiniProgramUnavailable(Exception):
    """The provider has no usable mini-program binding."""


def miniprogram_account_get() -> MiniProgramAccount:
    """The schema's one mini-program row (created on first use)."""
    account = MiniProgramAccount.objects.order_by("pk").first()
    if account is None:
        account = MiniProgramAccount.objects.create()
    return account


def miniprogram_account_connected() -> MiniProgramAccount:
    account = MiniProgramAccount.objects.order_by("pk").first()
    if account is None or not account.is_connected:
        raise MiniProgramUnavailable
    return account


def _require_admin(actor: StaffMember) -> None:
    if actor.role != StaffRole.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only an administrator may change the WeChat mini-program."))


@transaction.atomic
def miniprogram_connect(
    *, actor: StaffMember, provider: Provider, appid: str, secret: str, verify: bool = True
) -> MiniProgramAccount:
    """Bind by AppID + AppSecret. A blank secret keeps the stored one for the same AppID. WeChat is
    asked for a token first, so a wrong secret is refused with WeChat's reason in words."""
    _require_admin(actor)
    if not wechat_allowed(provider):
        raise ValidationError(_("Your plan does not include WeChat. Renew or upgrade first."))
    account = MiniProgramAccount.objects.select_for_update().get(pk=miniprogram_account_get().pk)
    appid = (appid or "").strip()
    secret = (secret or "").strip()
    same_app = account.is_connected and account.appid == appid
    errors: dict[str, list[str]] = {}
    if not APPID_RE.match(appid):
        errors["appid"] = [_("An AppID is “wx” followed by 16 lowercase letters or digits.")]
    if not secret and not same_app:
        errors["secret"] = [_("Enter the AppSecret.")]
    elif secret and not SECRET_RE.match(secret):
        errors["secret"] = [_("An AppSecret is 32 letters or digits.")]
    if errors:
        raise ValidationError(errors)
    effective = secret or account.secret
    if verify:
        try:
            verify_credentials(appid=appid, secret=effective)
        except WeChatClientException as exc:
            raise ValidationError({"secret": [describe(exc.errcode, exc.errmsg)]}) from exc
    if account.appid and account.appid != appid:
        tokens.forget(account.appid)
    account.connection = MiniProgramConnection.MANUAL
    account.appid = appid
    if secret:
        account.set_secret(secret)
    account.connected_at = timezone.now()
    account.connected_by = actor
    account.save()
    return account


@transaction.atomic
def miniprogram_disconnect(*, actor: StaffMember) -> MiniProgramAccount:
    _require_admin(actor)
    account = MiniProgramAccount.objects.select_for_update().get(pk=miniprogram_account_get().pk)
    if account.appid:
        tokens.forget(account.appid)
    account.connection = MiniProgramConnection.NONE
    account.secret_sealed = ""
    account.connected_at = None
    account.save()
    return account


def miniprogram_check(*, actor: StaffMember) -> str:
    """Prove the binding works (an access token fetch); the problem in words, or ''."""
    _require_admin(actor)
    account = miniprogram_account_get()
    if not account.is_connected:
        return _("No mini-program is bound yet.")
    try:
        miniprogram_client(account).access_token  # noqa: B018 (fetches or reuses the shared token)
    except WeChatClientException as exc:
        return describe(exc.errcode, exc.errmsg)
    except tokens.TokenUnavailable:
        return describe(-1)
    return ""


@transaction.atomic
def miniprogram_templates_update(*, actor: StaffMember, template_ids: dict[str, str]) -> MiniProgramAccount:
    """Our notification slot → the mini-program's subscribe message template (empty: not used)."""
    from integrations.notifications.content import SLOTS

    _require_admin(actor)
    account = MiniProgramAccount.objects.select_for_update().get(pk=miniprogram_account_get().pk)
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for slot in SLOTS:
        value = (template_ids.get(slot) or "").strip()
        if value and not TEMPLATE_ID_RE.match(value):
            errors[f"template_{slot}"] = [_("A template id is 10 to 64 letters, digits, “-” or “_”.")]
        elif value:
            cleaned[slot] = value
    if errors:
        raise ValidationError(errors)
    account.subscribe_template_ids = cleaned
    account.save(update_fields=["subscribe_template_ids", "updated_at"])
    return account
