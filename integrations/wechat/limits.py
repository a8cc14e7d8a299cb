"""WeChat's typed template fields: make every value fit its type before it is sent.

WeChat answers 47003 ("argument invalid") for a value that breaks its type's rule, and retrying
never helps, so values are fitted here (订阅通知 / 模板消息 keyword rules):

| type | rule |
|---|---|
| ``thing`` | ≤ 20 characters (Chinese, digits, letters, symbols) |
| ``character_string`` | ≤ 32 digits, letters or symbols (no Chinese) |
| ``number`` | ≤ 32 digits, may carry one decimal point |
| ``letter`` | ≤ 32 letters |
| ``symbol`` | ≤ 5 symbols |
| ``phrase`` | ≤ 5 Chinese characters, nothing else |
| ``phone_number`` | ≤ 17 digits and symbols |
| ``car_number`` | ≤ 8; first and last may be Chinese, the rest letters or digits |
| ``name`` | ≤ 10 Chinese characters (or mixed), or ≤ 20 letters |
| ``time`` | 24-hour time, with the date: ``2019年10月1日 15:01`` |
| ``date`` | a date, optionally with time: ``2019年10月1日`` |
| ``amount`` | a currency sign + ≤ 10 digits, optional decimals, optional trailing 元 |

A value cut short ends with "…" where the type allows symbols in Chinese text (``thing``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import timezone

ELLIPSIS = "…"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s+")

LIMITS = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "phone_number": 17,
    "car_number": 8,
    "amount": 14,
}
TYPES = frozenset({*LIMITS, "name", "time", "date"})
FALLBACK_PHRASE = "通知"


def field_type(key: str) -> str:
    """``thing3`` → ``thing``; ``character_string12`` → ``character_string``."""
    return key.rstrip("0123456789")


def _clean(value: Any) -> str:
    return _SPACE.sub(" ", str(value if value is not None else "")).strip()


def _cut(value: str, limit: int, *, ellipsis: bool) -> str:
    if len(value) <= limit:
        return value
    if ellipsis:
        return value[: limit - 1] + ELLIPSIS
    return value[:limit]


def _as_local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_time(value: datetime) -> str:
    value = _as_local(value)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def format_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def fit(kind: str, value: Any) -> str:
    """``value`` made acceptable for a field of type ``kind`` (see the module's table)."""
    if kind == "time":
        if isinstance(value, datetime):
            return format_time(value)
        return _cut(_clean(value), 40, ellipsis=False) or format_time(timezone.now())
    if kind == "date":
        if isinstance(value, datetime):
            return format_date(_as_local(value).date())
        if isinstance(value, date):
            return format_date(value)
        return _cut(_clean(value), 40, ellipsis=False) or format_date(timezone.localdate())
    text = _clean(value)
    if kind == "thing":
        return _cut(text, 20, ellipsis=True) or "-"
    if kind == "character_string":
        ascii_only = "".join(ch for ch in text if 32 < ord(ch) < 127)
        return _cut(ascii_only, 32, ellipsis=False) or "-"
    if kind == "number":
        digits = re.sub(r"[^\d.]", "", text)
        if digits.count(".") > 1:
            head, _, tail = digits.partition(".")
            digits = head + "." + tail.replace(".", "")
        return _cut(digits.strip("."), 32, ellipsis=False) or "0"
    if kind == "letter":
        return _cut(re.sub(r"[^A-Za-z]", "", text), 32, ellipsis=False) or "X"
    if kind == "symbol":
        return _cut(re.sub(r"[\w\s]", "", text), 5, ellipsis=False) or "-"
    if kind == "phrase":
        return "".join(_CJK.findall(text))[:5] or FALLBACK_PHRASE
    if kind == "phone_number":
        return _cut(re.sub(r"[^\d+\-() ]", "", text).strip(), 17, ellipsis=False) or "-"
    if kind == "car_number":
        return _cut(text.replace(" ", ""), 8, ellipsis=False)
    if kind == "name":
        if _CJK.search(text):
            return _cut(text, 10, ellipsis=False)
        return _cut(text, 20, ellipsis=False) or "-"
    if kind == "amount":
        match = re.search(r"\d+(?:\.\d+)?", text)
        number = match.group(0) if match else "0"
        whole, _, decimals = number.partition(".")
        number = whole[:10] + ("." + decimals[:2] if decimals else "")
        return f"¥{number}"
    raise ValueError(f"unknown WeChat field type {kind!r}")


def fit_data(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """``{"thing2": "…", "time4": datetime}`` → WeChat's ``{"thing2": {"value": "…"}, …}``, each value
    fitted to the type its key names."""
    fitted: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        kind = field_type(key)
        fitted[key] = {
            "value": fit(kind, value) if kind in TYPES else _cut(_clean(value), 200, ellipsis=True)
        }
    return fitted


def violations(data: dict[str, dict[str, str]]) -> list[str]:
    """Keys whose value breaks its type's rule (the loopback fake answers 47003 for these)."""
    return [key for key, entry in data.items() if not _valid(field_type(key), str(entry.get("value", "")))]


def _valid(kind: str, value: str) -> bool:
    if not value or (kind in LIMITS and len(value) > LIMITS[kind]):
        return False
    if kind == "phrase":
        return len(_CJK.findall(value)) == len(value)
    if kind == "character_string":
        return all(ord(ch) <= 126 for ch in value)
    if kind == "name":
        return len(value) <= (10 if _CJK.search(value) else 20)
    return True
