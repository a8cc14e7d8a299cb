"""WeChat error codes: what they mean in words (zh/en) and what delivery does about them.

- token errors (40001 invalid credential, 40014 invalid token, 42001 expired): one refresh, one
  retry (``integrations.wechat.client``);
- quota (45009 daily API quota, 45047 too many customer-service messages …): back off for long;
- permanent (47003 bad template data, 43004 the user does not follow the account, 40003 bad
  openid, 40037 bad template id, 43101 the user refused subscription messages …): recorded as
  failed, never retried;
- anything else (-1 system busy, network errors): retried with exponential backoff.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
QUOTA_ERRORS = frozenset({45009, 45011, 45047})
PERMANENT_ERRORS = frozenset(
    {40003, 40013, 40036, 40037, 40125, 40164, 41028, 41029, 43004, 43101, 47001, 47003, 48001, 50005}
)

MESSAGES: dict[int, Any] = {
    -1: _("WeChat is busy. Try again in a moment."),
    40001: _("The AppSecret is wrong or the access token is invalid."),
    40003: _("This WeChat user (openid) does not belong to the official account."),
    40013: _("The AppID is not valid."),
    40014: _("The access token is not valid."),
    40016: _("The menu has too many or too few top-level buttons (1 to 3)."),
    40017: _("A menu button has a type WeChat does not accept."),
    40018: _("A top-level button name is too long (at most 4 Chinese characters or 16 bytes)."),
    40019: _("A menu button key is too long (at most 128 bytes)."),
    40020: _("A menu button link is too long (at most 1024 bytes)."),
    40023: _("A sub-menu has too many buttons (at most 5)."),
    40024: _("A sub-menu button has a type WeChat does not accept."),
    40025: _("A sub-menu button name is too long (at most 60 bytes)."),
    40026: _("A sub-menu button key is too long (at most 128 bytes)."),
    40027: _("A sub-menu button link is too long (at most 1024 bytes)."),
    40036: _("The template id is not valid."),
    40037: _("The template id is not valid for this official account."),
    40054: _("A sub-menu link is not a valid web address."),
    40055: _("A menu link is not a valid web address."),
    40125: _("The AppSecret is wrong."),
    40164: _("Our server's IP address is not on the official account's IP whitelist."),
    41028: _("The form id is missing or has expired."),
    41029: _("The form id has already been used."),
    42001: _("The access token has expired."),
    43004: _("The user does not follow the official account."),
    43101: _("The user has not accepted subscription messages from the official account."),
    45009: _("The official account has used up today's API quota."),
    45011: _("Too many API calls in a short time; WeChat asks us to slow down."),
    45047: _("Too many messages to this user; WeChat asks us to wait."),
    46003: _("The official account has no menu."),
    47001: _("WeChat could not read the data we sent."),
    47003: _("A template field does not fit WeChat's rules for its type (length or characters)."),
    48001: _("The official account is not allowed to use this API (check its type and verification)."),
    50005: _("The user has not followed the official account."),
    61003: _("The official account has not authorized our platform."),
    61007: _("The official account did not grant our platform this permission."),
    65301: _("The personalized menu does not exist."),
    85005: _("The official account is not verified."),
}


def describe(errcode: int | None, errmsg: str = "") -> str:
    """The error as a sentence in the active language, with WeChat's own code for support.

    ``errmsg`` is never shown: for a network failure it is the exception text, which carries the
    request URL and with it ``secret=`` or ``access_token=``; WeChat's own ``errmsg`` is English
    jargon with a request id. The log keeps the detail (masked by the logging filter)."""
    if errcode is None:
        return gettext("WeChat could not be reached. Check the server's network and try again in a minute.")
    known = MESSAGES.get(int(errcode))
    if known is not None:
        return gettext("%(text)s (WeChat error %(code)s)") % {"text": known, "code": errcode}
    return gettext("WeChat refused the request (WeChat error %(code)s).") % {"code": errcode}


def is_permanent(errcode: int | None) -> bool:
    return errcode is not None and int(errcode) in PERMANENT_ERRORS


def is_quota(errcode: int | None) -> bool:
    return errcode is not None and int(errcode) in QUOTA_ERRORS
