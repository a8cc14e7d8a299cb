"""Order numbers BX-YYYYMMDD-NNNNN and work-order numbers GD-YYMMDD-NNN: per tenant (each tenant is
its own schema, so its own counter table), per Asia/Shanghai day, unique and gap-free.

One counter row per (kind, day) is incremented with ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
inside the caller's transaction. PostgreSQL keeps that row locked until the transaction ends, so
concurrent submits queue on it (only for the short rest of their transaction), and a transaction
that rolls back also rolls back its increment: the number goes to the next submit, leaving no gap.
Must be called inside ``transaction.atomic`` (the services are).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from repair_forms.models import CounterKind, NumberCounter

NUMBERING_TZ = ZoneInfo("Asia/Shanghai")


def business_day(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), NUMBERING_TZ).date()


def _next(kind: str, day: date) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("Numbers must be taken inside the transaction that uses them.")
    table = connection.ops.quote_name(NumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (kind, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [kind, day],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def next_order_number(now: datetime | None = None) -> str:
    day = business_day(now)
    return f"BX-{day:%Y%m%d}-{_next(CounterKind.ORDER, day):05d}"


def next_work_order_number(now: datetime | None = None) -> str:
    day = business_day(now)
    return f"GD-{day:%y%m%d}-{_next(CounterKind.WORK_ORDER, day):03d}"
