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
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from repair_forms.models import CounterKind, NumberCounter, OrderEvent, RepairOrder

NUMBERING_TZ = ZoneInfo("Asia/Shanghai")


def business_day(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), NUMBERING_TZ).date()


def _upsert_sql() -> str:
    """Take the next number of (%s kind, %s day): the counter row's upsert, ``RETURNING last``."""
    table = connection.ops.quote_name(NumberCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (kind, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (kind, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )


def _in_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("Numbers must be taken inside the transaction that uses them.")


def _next(kind: str, day: date) -> int:
    _in_transaction()
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [kind, day])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def next_order_number(now: datetime | None = None) -> str:
    day = business_day(now)
    return f"BX-{day:%Y%m%d}-{_next(CounterKind.ORDER, day):05d}"


def next_work_order_number(now: datetime | None = None) -> str:
    day = business_day(now)
    return f"GD-{day:%y%m%d}-{_next(CounterKind.WORK_ORDER, day):03d}"


# --- Number, order and its first event in one statement --------------------------------------------


def _insert_parts(obj: Model, computed: dict[str, tuple[str, list[Any]]]) -> tuple[str, str, list[Any]]:
    """Columns, value expressions and parameters of ``obj``'s INSERT, prepared by each field as
    ``Model.save`` prepares them (``pre_save`` fills auto_now(_add) on ``obj`` too). ``computed``:
    an SQL expression and its parameters for some columns, instead of the object's value."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.column in computed:
            expression, expression_params = computed[field.column]
            values.append(expression)
            params.extend(expression_params)
            continue
        values.append("%s")
        params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection))
    return ", ".join(columns), ", ".join(values), params


def insert_numbered_order(order: RepairOrder, event: OrderEvent, now: datetime | None = None) -> None:
    """Insert the new ``order`` under the next order number of ``now``'s day and its first
    ``event``, in one statement (one database round trip instead of three): the counter's upsert,
    the order and the event are data-modifying CTEs of one ``INSERT``.

    The numbering guarantees are the upsert's, unchanged: its row lock is held until the caller's
    transaction ends, and a rollback returns the number. ``order`` and ``event`` come back saved
    (primary keys, number, timestamps), and ``pre_save`` / ``post_save`` are sent for both as
    ``Model.save`` would send them — the notification outbox listens to the event's."""
    _in_transaction()
    day = business_day(now)
    for obj in (order, event):
        pre_save.send(sender=type(obj), instance=obj, raw=False, using=connection.alias, update_fields=None)
    quote = connection.ops.quote_name
    # BX-YYYYMMDD-NNNNN, as next_order_number writes it ({:05d}: at least five digits).
    number = "(SELECT %s || lpad(last::text, greatest(5, length(last::text)), '0') FROM taken)"
    order_columns, order_values, order_params = _insert_parts(
        order, {"number": (number, [f"BX-{day:%Y%m%d}-"])}
    )
    event_columns, event_values, event_params = _insert_parts(
        event, {"order_id": ("(SELECT id FROM new_order)", [])}
    )
    sql = (
        f"WITH taken AS ({_upsert_sql()}), "
        f"new_order AS (INSERT INTO {quote(RepairOrder._meta.db_table)} ({order_columns}) "
        f"VALUES ({order_values}) RETURNING id, number), "
        f"new_event AS (INSERT INTO {quote(OrderEvent._meta.db_table)} ({event_columns}) "
        f"VALUES ({event_values}) RETURNING id) "
        "SELECT new_order.id, new_order.number, new_event.id FROM new_order, new_event"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CounterKind.ORDER, day, *order_params, *event_params])
        row = cursor.fetchone()
    assert row is not None
    order.pk, order.number = row[0], row[1]
    event.pk = row[2]
    event.order = order
    for obj in (order, event):
        obj._state.adding = False
        obj._state.db = connection.alias
        post_save.send(
            sender=type(obj),
            instance=obj,
            created=True,
            update_fields=None,
            raw=False,
            using=connection.alias,
        )
