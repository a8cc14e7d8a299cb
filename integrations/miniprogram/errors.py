"""The mini-program's WeChat error codes in words (zh/en); the official account's table covers the
rest (``integrations.wechat.errors``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations.wechat.errors import describe as describe_wechat

# Codes a client may cause by sending a bad or stale ``wx.login`` / phone-button code.
CODE_ERRORS = frozenset({40029, 40163, 40226})

MESSAGES: dict[int, Any] = {
    40029: _("The sign-in code is not valid. Sign in again."),
    40163: _("The sign-in code has already been used. Sign in again."),
    40226: _("WeChat has restricted this user; sign-in is refused."),
    43101: _("The user has not accepted this subscribe message."),
    45011: _("Too many sign-ins in a short time; WeChat asks us to slow down. Try again in a minute."),
    40013: _("The mini-program AppID is not valid."),
    40125: _("The mini-program AppSecret is wrong."),
    41030: _("The page of the mini-program code does not exist in the published mini-program."),
}


def describe(errcode: int | None, errmsg: str = "") -> str:
    known = MESSAGES.get(int(errcode)) if errcode is not None else None
    if known is not None:
        return gettext("%(text)s (WeChat error %(code)s)") % {"text": known, "code": errcode}
    return describe_wechat(errcode, errmsg)
