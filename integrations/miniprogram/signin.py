"""Signing in with the mini-program: ``wx.login`` code → ``jscode2session`` → the mini-program user
(by openid, else by unionid) → a bearer token pair; then, once, who they are here: a customer by
their phone (the phone-number button's ``getuserphonenumber`` code, or an SMS code), or a staff
member by scanning the binding code the console shows them.

What must stay true: an invalid, used or replayed ``wx.login`` code signs nobody in (WeChat
answers 40029 / 40163 and we say so in words); the session key WeChat returns is never stored or
returned; a mini-program user binds a phone once.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from accounts.models import Customer, StaffMember
from accounts.services import customer_get_or_create, customer_register_in_company
from accounts.validators import normalize_phone
from integrations.miniprogram.accounts import MiniProgramUnavailable, miniprogram_account_connected
from integrations.miniprogram.api_tokens import IssuedTokens, api_session_issue
from integrations.miniprogram.client import MiniProgramClient, miniprogram_client
from integrations.miniprogram.errors import CODE_ERRORS, describe
from integrations.miniprogram.models import MiniProgramUser
from integrations.sms.codes import code_verify
from integrations.wechat.errors import QUOTA_ERRORS

SMS_PURPOSE = "miniprogram_phone"
STAFF_BIND_SECONDS = 600
STAFF_BIND_PREFIX = "sb:"


class SignInRefused(Exception):
    """Sign-in or binding refused. ``status``: 400 (bad code), 409 (already bound), 429 (WeChat
    asks us to slow down), 503 (no mini-program bound, WeChat unreachable)."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _wechat_refusal(exc: WeChatClientException) -> SignInRefused:
    text = describe(exc.errcode, exc.errmsg)
    if exc.errcode in CODE_ERRORS:
        return SignInRefused(text, code="invalid_code", status=400)
    if exc.errcode in QUOTA_ERRORS:
        return SignInRefused(text, code="rate_limited", status=429)
    return SignInRefused(text, code="wechat_unavailable", status=503)


def _client() -> MiniProgramClient:
    try:
        return miniprogram_client(miniprogram_account_connected())
    except MiniProgramUnavailable as exc:
        raise SignInRefused(
            _("This service provider has not bound a WeChat mini-program."), code="not_bound", status=503
        ) from exc


@transaction.atomic
def miniprogram_sign_in(
    *, code: str, device: str = "", nickname: str = "", avatar_url: str = ""
) -> IssuedTokens:
    """Exchange a ``wx.login`` code for a token pair; the mini-program user is created on first use."""
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise SignInRefused(_("The sign-in code is missing. Sign in again."), code="invalid_code")
    client = _client()
    try:
        session = client.wxa.code_to_session(code)
    except WeChatClientException as exc:
        raise _wechat_refusal(exc) from exc
    openid = str(session.get("openid") or "")
    unionid = str(session.get("unionid") or "")
    if not openid:
        raise SignInRefused(describe(None, "no openid"), code="wechat_unavailable", status=503)
    user = MiniProgramUser.objects.select_for_update().filter(openid=openid).first()
    if user is None:
        twin = (
            MiniProgramUser.objects.filter(unionid=unionid).exclude(customer=None).first()
            if unionid
            else None
        )
        user = MiniProgramUser.objects.create(
            openid=openid, unionid=unionid, customer=twin.customer if twin else None
        )
    changed = ["last_sign_in_at"]
    user.last_sign_in_at = timezone.now()
    if unionid and user.unionid != unionid:
        user.unionid = unionid
        changed.append("unionid")
    if nickname:
        user.nickname = nickname.strip()[:60]
        changed.append("nickname")
    if avatar_url.startswith("https://"):
        user.avatar_url = avatar_url[:500]
        changed.append("avatar_url")
    user.save(update_fields=changed)
    return api_session_issue(user=user, device=device)


def _bind_customer(user: MiniProgramUser, phone: str) -> Customer:
    locked = MiniProgramUser.objects.select_for_update().get(pk=user.pk)
    if locked.customer_id is not None:
        raise SignInRefused(
            _("A phone number is already bound to this WeChat user."), code="already_bound", status=409
        )
    customer = customer_get_or_create(phone=phone, name=locked.nickname)
    locked.customer = customer
    locked.save(update_fields=["customer"])
    user.customer = customer
    return customer


@transaction.atomic
def miniprogram_phone_bind(*, user: MiniProgramUser, code: str) -> Customer:
    """Bind the phone behind the phone-number button's ``code`` (``getuserphonenumber``), once."""
    if user.customer_id is not None:
        raise SignInRefused(
            _("A phone number is already bound to this WeChat user."), code="already_bound", status=409
        )
    client = _client()
    try:
        info = client.phone_number((code or "").strip())
    except WeChatClientException as exc:
        raise _wechat_refusal(exc) from exc
    if str(info.get("countryCode", "86")) != "86" or not info.get("purePhoneNumber"):
        raise SignInRefused(_("Only mainland China mobile numbers can be bound."), code="invalid_phone")
    return _bind_customer(user, normalize_phone(str(info["purePhoneNumber"])))


@transaction.atomic
def miniprogram_phone_bind_sms(*, user: MiniProgramUser, phone: str, sms_code: str) -> Customer:
    """Bind ``phone`` proven by an SMS code (``integrations.sms.codes``, purpose miniprogram_phone)."""
    if user.customer_id is not None:
        raise SignInRefused(
            _("A phone number is already bound to this WeChat user."), code="already_bound", status=409
        )
    code_verify(phone=phone, purpose=SMS_PURPOSE, scope=str(_schema()), code=sms_code)
    return _bind_customer(user, normalize_phone(phone))


# --- Staff binding (the console shows a code; the staff member scans it in the mini-program) ---------


def _schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _bind_key(nonce: str) -> str:
    return f"miniprogram-staff-bind:{_schema()}:{nonce}"


def staff_bind_scene_issue(*, staff: StaffMember) -> str:
    """A one-time scene (≤ 32 chars, valid 10 minutes) that binds the scanner to ``staff``."""
    nonce = secrets.token_urlsafe(12)
    cache.set(_bind_key(nonce), staff.pk, STAFF_BIND_SECONDS)
    return STAFF_BIND_PREFIX + nonce


@transaction.atomic
def miniprogram_staff_bind(*, user: MiniProgramUser, scene: str) -> StaffMember:
    """Make this mini-program user the staff member the scanned scene names (once per scene)."""
    nonce = (scene or "").removeprefix(STAFF_BIND_PREFIX)
    key = _bind_key(nonce)
    staff_id = cache.get(key)
    staff = StaffMember.objects.filter(pk=staff_id, is_active=True).first() if staff_id else None
    if staff is None or not cache.delete(key):
        raise SignInRefused(
            _("This binding code has expired or was already used. Ask for a new one in the console."),
            code="invalid_code",
        )
    MiniProgramUser.objects.filter(staff=staff).exclude(pk=user.pk).update(staff=None)
    MiniProgramUser.objects.filter(pk=user.pk).update(staff=staff)
    user.staff = staff
    return staff


@transaction.atomic
def miniprogram_company_join(*, user: MiniProgramUser, registration_token: str, name: str = "") -> Customer:
    """A scanned company registration code (葵花码): the bound customer joins that company, as the
    web registration page does after its SMS code (here the phone was proven when it was bound)."""
    customer = user.customer
    if customer is None:
        raise SignInRefused(_("Bind your phone number first."), code="phone_required", status=409)
    return customer_register_in_company(
        registration_token=registration_token,
        phone=customer.phone,
        name=name or customer.name or user.nickname,
    )
