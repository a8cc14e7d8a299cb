"""WeChat Pay API v3, Native (QR code) payments, direct-merchant mode with the WeChat Pay platform
public key (微信支付公钥) for verifying responses and notifications.

On only when all of ``WECHATPAY_MCHID``, ``WECHATPAY_APPID``, ``WECHATPAY_APIV3_KEY``,
``WECHATPAY_CERT_SERIAL_NO``, ``WECHATPAY_PRIVATE_KEY`` (PEM, usually via ``WECHATPAY_PRIVATE_KEY_FILE``),
``WECHATPAY_PUBLIC_KEY`` (PEM, or ``_FILE``) and ``WECHATPAY_PUBLIC_KEY_ID`` are set; otherwise the
console does not offer WeChat Pay. ``WECHATPAY_NOTIFY_URL`` defaults to the public site's
``/billing/webhooks/wechatpay/``; ``WECHATPAY_API_BASE`` points the client elsewhere (tests)."""

from __future__ import annotations

from saas_platform.settings.env import env_optional, env_str

WECHATPAY_MCHID = env_optional("WECHATPAY_MCHID") or ""
WECHATPAY_APPID = env_optional("WECHATPAY_APPID") or ""
WECHATPAY_APIV3_KEY = env_optional("WECHATPAY_APIV3_KEY") or ""
WECHATPAY_CERT_SERIAL_NO = env_optional("WECHATPAY_CERT_SERIAL_NO") or ""
WECHATPAY_PRIVATE_KEY = env_optional("WECHATPAY_PRIVATE_KEY") or ""
WECHATPAY_PUBLIC_KEY = env_optional("WECHATPAY_PUBLIC_KEY") or ""
WECHATPAY_PUBLIC_KEY_ID = env_optional("WECHATPAY_PUBLIC_KEY_ID") or ""
WECHATPAY_NOTIFY_URL = env_optional("WECHATPAY_NOTIFY_URL") or ""
WECHATPAY_API_BASE = env_str("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com")
