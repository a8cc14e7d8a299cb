"""Connecting the provider's official account (第二步：授权微信公众号) and its settings.

Two ways in:
- the WeChat Open Platform authorization (QR scan on WeChat's page): ``component_authorize_url``
  starts it, ``account_connect_component`` finishes it with the ``auth_code`` WeChat hands back,
  storing the authorizer appid and its refresh token (sealed) and routing the appid to this
  provider in the public schema;
- the fallback: the provider pastes appid, secret, callback token and EncodingAESKey
  (``account_connect_manual``); WeChat is asked for a token first, so a wrong secret is refused
  with WeChat's reason in words.

Secrets are sealed at rest and never shown again in full (``crypto.masked``). The whole feature is
gated by the plan (``billing.entitlements.provider_may(provider, "wechat")``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from accounts.models import Customer, StaffMember, StaffRole
from billing.entitlements import provider_may
from integrations.models import (
    LANGUAGE_CHOICES,
    NotificationPreference,
    StaffWeChatBinding,
    WeChatAccount,
    WeChatConnection,
    WeChatMessageStyle,
)
from integrations.wechat import tokens
from integrations.wechat.client import account_client, platform_component, platform_store, verify_credentials
from integrations.wechat.errors import describe
from tenants.models import Provider

logger = logging.getLogger(__name__)

APPID_RE = re.compile(r"^wx[0-9a-f]{16}$")
SECRET_RE = re.compile(r"^[0-9a-zA-Z]{32}$")
TOKEN_RE = re.compile(r"^[0-9a-zA-Z]{3,32}$")
AES_KEY_RE = re.compile(r"^[0-9a-zA-Z]{43}$")
TEMPLATE_ID_RE = re.compile(r"^[0-9A-Za-z_\-]{10,64}$")


def current_schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def current_provider() -> Provider:
    """The provider whose schema is active (works in requests, tasks and schema_context); a
    schema_context lookup is cached briefly (Provider rows change rarely, a name never)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Provider):
        return tenant
    schema = current_schema()
    key = f"provider-by-schema:{schema}"
    provider = cache.get(key)
    if not isinstance(provider, Provider):
        provider = Provider.objects.get(schema_name=schema)
        cache.set(key, provider, 60)
    return provider


def account_get() -> WeChatAccount:
    """The schema's one account row (created on first use)."""
    account = WeChatAccount.objects.order_by("pk").first()
    if account is None:
        account = WeChatAccount.objects.create()
    return account


def account_cache_key() -> str:
    return f"wechat-account:{current_schema()}"


def account_saved(sender: Any, instance: WeChatAccount, **kwargs: Any) -> None:
    """Whoever caches the account (deliveries, the silent sign-in check) re-reads it after commit."""
    keys = [account_cache_key(), _connected_key()]
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def _connected_key() -> str:
    return f"wechat-connected:{current_schema()}"


def account_connected_cached() -> bool:
    """Is the account connected and allowed by the plan? (per request on portal pages: cached)"""
    cached = cache.get(_connected_key())
    if cached is None:
        account = WeChatAccount.objects.order_by("pk").first()
        cached = bool(account and account.is_connected and wechat_allowed(current_provider()))
        cache.set(_connected_key(), cached, 60)
    return bool(cached)


def _forget_connected() -> None:
    key = _connected_key()
    transaction.on_commit(lambda: cache.delete(key))


def wechat_allowed(provider: Provider) -> bool:
    return provider_may(provider, "wechat")


def _require_admin(actor: StaffMember) -> None:
    if actor.role != StaffRole.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only an administrator may change the WeChat official account."))


def _require_plan(provider: Provider) -> None:
    if not wechat_allowed(provider):
        raise ValidationError(
            _("Your plan does not include the WeChat official account. Renew or upgrade first.")
        )


# --- Manual connection (fallback) ------------------------------------------------------------------


@transaction.atomic
def account_connect_manual(
    *,
    actor: StaffMember,
    provider: Provider,
    appid: str,
    secret: str,
    token: str,
    aes_key: str = "",
    verify: bool = True,
) -> WeChatAccount:
    """Connect by pasted credentials. A blank secret/token/key keeps the stored one (the form never
    shows them again), so an admin can change one value without retyping the rest."""
    _require_admin(actor)
    _require_plan(provider)
    account = WeChatAccount.objects.select_for_update().get(pk=account_get().pk)
    appid = (appid or "").strip()
    secret = (secret or "").strip()
    token = (token or "").strip()
    aes_key = (aes_key or "").strip()
    same_app = account.connection == WeChatConnection.MANUAL and account.appid == appid
    errors: dict[str, list[str]] = {}
    if not APPID_RE.match(appid):
        errors["appid"] = [_("An AppID is “wx” followed by 16 lowercase letters or digits.")]
    if not secret and not same_app:
        errors["secret"] = [_("Enter the AppSecret.")]
    elif secret and not SECRET_RE.match(secret):
        errors["secret"] = [_("An AppSecret is 32 letters or digits.")]
    if not token and not (same_app and account.token_sealed):
        errors["token"] = [_("Enter the Token set in the official account's server configuration.")]
    elif token and not TOKEN_RE.match(token):
        errors["token"] = [_("The Token is 3 to 32 letters or digits.")]
    if aes_key and not AES_KEY_RE.match(aes_key):
        errors["aes_key"] = [_("The EncodingAESKey is 43 letters or digits.")]
    if errors:
        raise ValidationError(errors)
    effective_secret = secret or account.secret
    if verify:
        try:
            verify_credentials(appid=appid, secret=effective_secret)
        except WeChatClientException as exc:
            # The detail (it may hold the token URL) goes to the log, masked; the page gets words.
            logger.warning("WeChat refused the credentials of %s: %s %s", appid, exc.errcode, exc.errmsg)
            raise ValidationError({"secret": [describe(exc.errcode, exc.errmsg)]}) from exc
    if account.connection == WeChatConnection.COMPONENT and account.appid and account.appid != appid:
        platform_store("authorizer_unbind")(authorizer_appid=account.appid, provider_id=provider.pk)
    account.connection = WeChatConnection.MANUAL
    if account.appid != appid:
        account.original_id = ""
        account.nickname = ""
        tokens.forget(account.appid)
    account.appid = appid
    if secret:
        account.set_secret(secret)
    if token:
        account.set_token(token)
    if aes_key:
        account.set_aes_key(aes_key)
    account.set_refresh_token("")
    account.connected_at = timezone.now()
    account.connected_by = actor
    account.save()
    _forget_connected()
    return account


# --- Open Platform authorization -------------------------------------------------------------------


def component_available() -> bool:
    return platform_component() is not None


def component_authorize_url(*, actor: StaffMember, provider: Provider, redirect_uri: str) -> str:
    """WeChat's authorization page (QR scan) for a fresh pre-auth code."""
    _require_admin(actor)
    _require_plan(provider)
    component = platform_component()
    if component is None:
        raise ValidationError(
            _(
                "WeChat Open Platform authorization is not set up on this platform; "
                "enter the AppID and secret instead."
            )
        )
    try:
        return str(component.get_pre_auth_url(redirect_uri))
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc


@transaction.atomic
def account_connect_component(
    *, actor: StaffMember | None, provider: Provider, auth_code: str
) -> WeChatAccount:
    """Finish the authorization: exchange ``auth_code`` for the authorizer's tokens and details."""
    if actor is not None:
        _require_admin(actor)
    _require_plan(provider)
    component = platform_component()
    if component is None:
        raise ValidationError(_("WeChat Open Platform authorization is not set up on this platform."))
    try:
        info = component.query_authorization(auth_code)
        appid = str(info["authorizer_appid"])
        details: dict[str, Any] = component.get_authorizer_info(appid).get("authorizer_info", {})
    except WeChatClientException as exc:
        raise ValidationError(describe(exc.errcode, exc.errmsg)) from exc
    account = WeChatAccount.objects.select_for_update().get(pk=account_get().pk)
    if account.appid and account.appid != appid:
        platform_store("authorizer_unbind")(authorizer_appid=account.appid, provider_id=provider.pk)
        tokens.forget(account.appid)
    account.connection = WeChatConnection.COMPONENT
    account.appid = appid
    account.original_id = str(details.get("user_name", ""))[:40]
    account.nickname = str(details.get("nick_name", ""))[:100]
    account.set_refresh_token(str(info.get("authorizer_refresh_token", "")))
    account.secret_sealed = ""
    account.token_sealed = ""
    account.aes_key_sealed = ""
    account.connected_at = timezone.now()
    account.connected_by = actor
    account.save()
    platform_store("authorizer_bind")(authorizer_appid=appid, provider_id=provider.pk)
    _forget_connected()
    return account


@transaction.atomic
def account_disconnect(
    *, actor: StaffMember | None, provider: Provider, appid: str | None = None
) -> WeChatAccount:
    """Forget the connection (the console's button, or WeChat's "unauthorized" push with ``appid``)."""
    if actor is not None:
        _require_admin(actor)
    account = WeChatAccount.objects.select_for_update().get(pk=account_get().pk)
    if appid is not None and account.appid != appid:
        return account
    if account.appid:
        platform_store("authorizer_unbind")(authorizer_appid=account.appid, provider_id=provider.pk)
        tokens.forget(account.appid)
    account.connection = WeChatConnection.NONE
    account.secret_sealed = ""
    account.token_sealed = ""
    account.aes_key_sealed = ""
    account.refresh_token_sealed = ""
    account.connected_at = None
    account.save()
    _forget_connected()
    return account


# --- Notification settings ------------------------------------------------------------------------


@transaction.atomic
def account_settings_update(
    *,
    actor: StaffMember,
    message_style: str,
    template_ids: dict[str, str],
    welcome_text: str,
    default_reply: str,
) -> WeChatAccount:
    from integrations.notifications.content import SLOTS

    _require_admin(actor)
    account = WeChatAccount.objects.select_for_update().get(pk=account_get().pk)
    errors: dict[str, list[str]] = {}
    if message_style not in WeChatMessageStyle.values:
        errors["message_style"] = [_("Choose template or subscription messages.")]
    cleaned: dict[str, str] = {}
    for slot in SLOTS:
        value = (template_ids.get(slot) or "").strip()
        if value and not TEMPLATE_ID_RE.match(value):
            errors[f"template_{slot}"] = [_("A template id is 10 to 64 letters, digits, “-” or “_”.")]
        elif value:
            cleaned[slot] = value
    welcome_text = (welcome_text or "").strip()
    default_reply = (default_reply or "").strip()
    for name, value in (("welcome_text", welcome_text), ("default_reply", default_reply)):
        if len(value) > 600:
            errors[name] = [_("At most 600 characters.")]
    if errors:
        raise ValidationError(errors)
    account.message_style = message_style
    account.template_ids = cleaned
    account.welcome_text = welcome_text
    account.default_reply = default_reply
    account.save()
    return account


def account_fetch_details(*, account: WeChatAccount) -> WeChatAccount:
    """Refresh nickname / original id of an authorized account (best effort)."""
    component = platform_component()
    if component is None or account.connection != WeChatConnection.COMPONENT:
        return account
    try:
        details = component.get_authorizer_info(account.appid).get("authorizer_info", {})
    except WeChatClientException:
        return account
    account.original_id = str(details.get("user_name", account.original_id))[:40]
    account.nickname = str(details.get("nick_name", account.nickname))[:100]
    account.save(update_fields=["original_id", "nickname", "updated_at"])
    return account


# --- People ---------------------------------------------------------------------------------------


@transaction.atomic
def staff_wechat_bind(*, staff: StaffMember, openid: str) -> StaffWeChatBinding:
    """Send this staff member's notices to WeChat too. An openid moves to whoever binds it last."""
    StaffWeChatBinding.objects.filter(openid=openid).exclude(staff=staff).delete()
    binding, _created = StaffWeChatBinding.objects.update_or_create(staff=staff, defaults={"openid": openid})
    return binding


@transaction.atomic
def staff_wechat_unbind(*, staff: StaffMember) -> None:
    StaffWeChatBinding.objects.filter(staff=staff).delete()


@transaction.atomic
def customer_wechat_bind(*, customer: Customer, openid: str) -> Customer:
    """Bind ``openid`` to this (phone-verified) customer; it leaves any other customer."""
    Customer.objects.filter(wechat_openid=openid).exclude(pk=customer.pk).update(wechat_openid=None)
    customer.wechat_openid = openid
    customer.save(update_fields=["wechat_openid"])
    return customer


def language_set(
    *, customer: Customer | None = None, staff: StaffMember | None = None, language: str
) -> None:
    """The language this person's notices are written in."""
    if language not in dict(LANGUAGE_CHOICES):
        raise ValidationError({"language": [_("Choose Chinese or English.")]})
    if customer is not None:
        NotificationPreference.objects.update_or_create(customer=customer, defaults={"language": language})
    elif staff is not None:
        NotificationPreference.objects.update_or_create(staff=staff, defaults={"language": language})


def send_test_message(*, actor: StaffMember, account: WeChatAccount) -> None:
    """Prove the connection works: a token fetch through the real client (cheap, no message)."""
    _require_admin(actor)
    try:
        account_client(account).access_token  # noqa: B018 (fetches or reuses the shared token)
    except (WeChatClientException, tokens.TokenUnavailable) as exc:
        code = getattr(exc, "errcode", None)
        raise ValidationError(describe(code, str(getattr(exc, "errmsg", exc)))) from exc
