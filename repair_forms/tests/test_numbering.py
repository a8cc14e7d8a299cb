"""Order numbers: format, per-day sequence, and uniqueness without gaps under real concurrency."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection as _connection
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.services import customer_get_or_create
from repair_forms import services
from repair_forms.form_templates import builtin_templates_ensure
from repair_forms.lifecycle import Actor
from repair_forms.models import FormTemplate, NumberCounter, RepairOrder
from repair_forms.numbering import next_order_number, next_work_order_number
from repair_forms.tests.helpers import Cast, drive
from tenants.schema_clone import clone_schema, qn
from tenants.services import template_schema

connection: Any = _connection  # django-tenants' wrapper (set_schema, set_schema_to_public)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_order_numbers_count_per_shanghai_day(cast: Cast) -> None:
    late_evening_utc = datetime(2026, 3, 20, 15, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 in Shanghai
    just_after_midnight = datetime(2026, 3, 20, 16, 5, tzinfo=ZoneInfo("UTC"))  # 00:05 on the 21st
    with transaction.atomic():
        assert next_order_number(late_evening_utc) == "BX-20260320-00001"
        assert next_order_number(late_evening_utc) == "BX-20260320-00002"
        assert next_order_number(just_after_midnight) == "BX-20260321-00001"
        assert next_work_order_number(just_after_midnight) == "GD-260321-001"


def test_each_tenant_counts_its_own_numbers(cast: Cast, actors: Any) -> None:
    day = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
    first_a = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=day)
    with schema_context(actors.tenant_b.schema_name):
        customer_b = customer_get_or_create(phone="13900000777", name="乙的客户")
        minimal = FormTemplate.objects.get(builtin_key="minimal").current_version
        first_b = services.order_submit(
            actor=Actor.for_customer(customer_b),
            data={"fault_description": "坏了"},
            template_version=minimal,
            now=day,
        )
        assert RepairOrder.objects.count() == 1  # B's schema holds only B's order
    assert first_a.number == first_b.number == "BX-20260601-00001"


def test_a_rolled_back_submit_gives_its_number_to_the_next(cast: Cast) -> None:
    reporter = Actor.for_customer(cast.reporter)
    first = services.order_submit(actor=reporter, data=cast.form_data())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.order_submit(actor=reporter, data=cast.form_data())
        raise RuntimeError("the request failed after the order was written")
    second = services.order_submit(actor=reporter, data=cast.form_data())
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_a_submit_takes_its_number_in_the_statement_that_inserts_it(cast: Cast) -> None:
    """Number, order and event are one statement; the number is the counter's next, written as
    ``next_order_number`` writes it (five digits at least, more past 99999)."""
    reporter = Actor.for_customer(cast.reporter)
    day = datetime(2026, 7, 1, 10, 0, tzinfo=SHANGHAI)
    first = services.order_submit(actor=reporter, data=cast.form_data(), now=day)
    assert first.number == "BX-20260701-00001"
    NumberCounter.objects.filter(kind="order", day=day.date()).update(last=99_999)
    with CaptureQueriesContext(_connection) as ctx:
        submitted = services.order_submit_recorded(actor=reporter, data=cast.form_data(), now=day)
    assert submitted.order.number == "BX-20260701-100000"
    saved = RepairOrder.objects.get(pk=submitted.order.pk)
    assert saved.number == submitted.order.number and saved.submitted_at == day
    assert saved.events.get().pk == submitted.event.pk
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("WITH taken AS")


def test_work_orders_are_numbered_on_dispatch_and_reassign(cast: Cast) -> None:
    morning = datetime(2026, 5, 4, 9, 0, tzinfo=SHANGHAI)
    order = drive(cast, "dispatched", start=morning)
    reassigned = services.order_dispatch(
        actor=cast.actor("dispatcher"), order=order, engineer=cast.engineer2, now=morning.replace(hour=15)
    )
    assert reassigned.number == "GD-260504-002"
    first = order.work_orders.order_by("id").first()
    assert first is not None and first.number.startswith("GD-") and len(first.number) == 13
    assert int(reassigned.number[-3:]) == int(first.number[-3:]) + 1
    first.refresh_from_db()
    assert first.status == "reassigned"


# --- Concurrency -------------------------------------------------------------------------------------

# 200 submits racing on 40 connections (PostgreSQL's default max_connections is 100, shared with the
# rest of the suite), 5 each, all released at once; every 17th rolls back after taking its number.
THREADS = 40
SUBMITS = 200
FAILING = set(range(7, SUBMITS, 17))


@pytest.fixture
def scratch_schema(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A committed tenant schema of our own, cloned from the template and dropped afterwards.

    Why not ``django_db(transaction=True)``: that flushes every table after the test, including
    the public schema that holds the session's tenants A and B. Why not tenant A's schema: the
    threads need committed rows, which would outlive the test and leak into other tests. A cloned
    schema has every tenant table (the template is always fully migrated), needs no Provider row,
    and DROP SCHEMA … CASCADE removes every trace."""
    name = "t_numbering_" + secrets.token_hex(4)
    with django_db_blocker.unblock():
        with transaction.atomic(), connection.cursor() as cursor:
            clone_schema(cursor, template_schema(), name)
        try:
            yield name
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {qn(name)} CASCADE")


def test_two_hundred_racing_submits_get_unique_gap_free_numbers(
    scratch_schema: str, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        connection.set_schema(scratch_schema)
        try:
            builtin_templates_ensure()
            with pytest.raises(RuntimeError):  # autocommit here: a number must live in a transaction
                next_order_number()
            customers = [customer_get_or_create(phone=f"1370001{i:04d}") for i in range(SUBMITS)]
        finally:
            connection.set_schema_to_public()

        barrier = threading.Barrier(THREADS)
        errors: list[BaseException] = []

        def submit(index: int) -> None:
            data = {"fault_description": f"并发报修 {index}", "service_type": "repair"}
            try:
                with transaction.atomic():
                    order = services.order_submit(actor=Actor.for_customer(customers[index]), data=data)
                    assert order.number
                    if index in FAILING:
                        raise _Rollback
            except _Rollback:
                pass

        def worker(first: int) -> None:
            try:
                connection.set_schema(scratch_schema)
                barrier.wait(timeout=60)
                for index in range(first, SUBMITS, THREADS):
                    submit(index)
            except BaseException as exc:  # surfaced by the assertion below
                errors.append(exc)
            finally:
                connections.close_all()

        # Free-form reports (no machine fields in this data): make sure the default form accepts them.
        connection.set_schema(scratch_schema)
        try:
            minimal = FormTemplate.objects.get(builtin_key="minimal")
            FormTemplate.objects.update(is_default=False)
            FormTemplate.objects.filter(pk=minimal.pk).update(is_default=True)
        finally:
            connection.set_schema_to_public()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

        assert not errors, errors
        connection.set_schema(scratch_schema)
        try:
            numbers = sorted(RepairOrder.objects.values_list("number", flat=True))
        finally:
            connection.set_schema_to_public()

    committed = SUBMITS - len(FAILING)
    assert len(numbers) == committed == len(set(numbers))
    day = {n[3:11] for n in numbers}
    assert len(day) == 1
    assert [int(n[-5:]) for n in numbers] == list(range(1, committed + 1))  # no gaps


class _Rollback(Exception):
    pass
