"""Whole numbers from untrusted text (query parameters, form fields, JSON), parsed one way.

``str.isdigit`` is true for "²", "١" and other non-ASCII digits that ``int`` then refuses (or reads
as another number), and ``int`` accepts ids PostgreSQL's bigint cannot hold: both ended in 500s.
Every id or count that comes from a request goes through :func:`parse_id` instead; it lives in the
bottom layer so every app shares it.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1  # PostgreSQL bigint


def parse_id(value: object) -> int | None:
    """A positive id from ``value`` (ASCII digits or an int, not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The valid ids among ``values``, in order, junk dropped."""
    return [number for number in (parse_id(value) for value in values) if number is not None]
