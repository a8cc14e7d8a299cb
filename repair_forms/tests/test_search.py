"""The console's one search box: any fragment of a number, a reporter's name or phone, company,
machine, model, fault or notes, in Chinese or English — from the trigram index, and never another
tenant's orders."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import customer_get_or_create
from repair_forms import search, services
from repair_forms.asset_services import catalog_path_get_or_create
from repair_forms.lifecycle import Actor
from repair_forms.models import RepairOrder
from repair_forms.selectors import OrderFilters, order_list
from repair_forms.tests.helpers import Cast, make_cast


def _numbers(cast: Cast, text: str) -> set[str]:
    return {o.number for o in order_list(actor=cast.actor("admin"), filters=OrderFilters(q=text)).items}


@pytest.fixture
def filed(cast: Cast) -> dict[str, RepairOrder]:
    """Four orders filed the same day (numbers …-00001 to …-00004), each findable its own way."""
    day = timezone.now() - timedelta(days=1)
    miss = customer_get_or_create(phone="13912345678", name="张小姐")
    sir = customer_get_or_create(phone="13600001111", name="Mr Brown")
    _brand, _category, thinkpad = catalog_path_get_or_create(
        brand="Lenovo", category="Laptop", model="ThinkPad X1"
    )

    def submit(who: Any, minutes: int, **data: Any) -> RepairOrder:
        return services.order_submit(
            actor=Actor.for_customer(who), data=cast.form_data(**data), now=day + timedelta(minutes=minutes)
        )

    orders = {
        "printer": submit(cast.reporter, 1, fault_description="不能打印", notes="前台的打印机"),
        "blue_screen": submit(miss, 2, fault_description="电脑蓝屏，重启无效"),
        "english": submit(sir, 3, fault_description="Blue screen after the update", serial="AB-77812"),
        "fourth": submit(cast.loner, 4, fault_description="卡纸"),
    }
    english = orders["english"]
    english.model = thinkpad
    english.save(update_fields=["model"])
    return orders


def test_a_phone_fragment_finds_the_reporters_orders(cast: Cast, filed: dict[str, RepairOrder]) -> None:
    assert _numbers(cast, "2345678") == {filed["blue_screen"].number}
    assert _numbers(cast, "139 1234 5678") == {filed["blue_screen"].number}


def test_a_reporters_name_and_a_two_character_fault_word_are_found(
    cast: Cast, filed: dict[str, RepairOrder]
) -> None:
    assert _numbers(cast, "张小姐") == {filed["blue_screen"].number}
    assert _numbers(cast, "蓝屏") == {filed["blue_screen"].number}
    assert _numbers(cast, "张小姐 蓝屏") == {filed["blue_screen"].number}
    assert _numbers(cast, "张小姐 卡纸") == set()
    # One character, and two whose characters are each somewhere but never side by side.
    found = _numbers(cast, "张")
    assert {filed["blue_screen"].number, filed["printer"].number} <= found  # 张小姐, 报修人小张
    assert filed["fourth"].number not in found
    assert _numbers(cast, "打纸") == set()


def test_a_fragment_of_the_order_number_is_found(cast: Cast, filed: dict[str, RepairOrder]) -> None:
    fourth = filed["fourth"].number
    assert fourth.endswith("-00004")
    assert _numbers(cast, "00004") == {fourth}


def test_english_words_match_in_any_case_and_models_and_serials_are_found(
    cast: Cast, filed: dict[str, RepairOrder]
) -> None:
    english = filed["english"].number
    assert _numbers(cast, "blue SCREEN") == {english}
    assert _numbers(cast, "thinkpad") == {english}
    assert _numbers(cast, "77812") == {english}
    assert _numbers(cast, "brown") == {english}


def test_company_machine_number_and_notes_are_searched(cast: Cast, filed: dict[str, RepairOrder]) -> None:
    company_orders = {o.number for o in RepairOrder.objects.filter(company=cast.company)}
    assert filed["printer"].number in company_orders
    assert _numbers(cast, "芒果") == company_orders
    assert _numbers(cast, "前台") == {filed["printer"].number}


def test_search_never_reaches_another_tenants_orders(
    actors: Any, cast: Cast, filed: dict[str, RepairOrder]
) -> None:
    with schema_context(actors.tenant_b.schema_name):
        other = make_cast(actors)
        services.order_submit(
            actor=other.actor("reporter"), data=other.form_data(fault_description="服务器蓝屏")
        )
        theirs = _numbers(other, "蓝屏")
    assert len(theirs) == 1 and filed["blue_screen"].number not in theirs
    assert _numbers(cast, "蓝屏") == {filed["blue_screen"].number}


def _plan(text: str) -> str:
    queryset = search.search_orders(RepairOrder.objects.all(), text).order_by("-submitted_at", "-id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # no walking the list index instead
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _trigram_index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'order_search_trgm'")
        return cursor.fetchone() is not None


def test_the_search_is_answered_from_the_search_indexes(cast: Cast, filed: dict[str, RepairOrder]) -> None:
    assert "order_search_grams" in _plan("蓝屏")
    assert "order_search_grams" in _plan("张")
    # The trigram index exists wherever PostgreSQL has pg_trgm (every server; not the embedded
    # pgserver of `make run`, where the same LIKE filter runs without it).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        trigram_available = cursor.fetchone() is not None
    assert _trigram_index_exists() == trigram_available
    if trigram_available:
        assert "order_search_trgm" in _plan("打印机")


def test_the_migration_indexes_exactly_the_expression_the_search_filters_on() -> None:
    migration = importlib.import_module("repair_forms.migrations.0005_order_search_trigram")
    assert migration.SEARCH_DOCUMENT_SQL == search.SEARCH_DOCUMENT_SQL
    grams = importlib.import_module("repair_forms.migrations.0007_search_grams_index")
    assert grams.SEARCH_GRAMS_SQL == search.SEARCH_GRAMS_SQL


@pytest.mark.parametrize("window", [search.WINDOW, 1])
def test_pages_of_a_search_follow_the_list_order_whichever_way_each_order_matches(
    cast: Cast, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list page of a search is read from the newest rows first, then (when too few of them
    match; a window of 1 forces it) from the search indexes: paging 2 at a time must give exactly
    the full result, newest first, whichever way each order matched (its text, its reporter, the
    company), and a second word still narrows every page."""
    monkeypatch.setattr(search, "WINDOW", window)
    start = timezone.now() - timedelta(days=2)
    zhang = customer_get_or_create(phone="13912345678", name="张小姐")
    who = [cast.reporter, cast.loner, zhang]  # company member, no company (text match), a person
    texts = ["卡纸", "芒果味的打印机 卡纸", "卡纸"]
    for minute in range(9):
        services.order_submit(
            actor=Actor.for_customer(who[minute % 3]),
            data=cast.form_data(fault_description=texts[minute % 3], notes="" if minute % 3 != 2 else "芒果"),
            now=start + timedelta(minutes=minute),
        )
    services.order_submit(
        actor=Actor.for_customer(cast.loner), data=cast.form_data(fault_description="不相干"), now=start
    )

    def pages(text: str) -> list[str]:
        numbers: list[str] = []
        cursor = None
        while True:
            page = order_list(actor=cast.actor("admin"), filters=OrderFilters(q=text), cursor=cursor, limit=2)
            numbers += [o.number for o in page.items]
            if page.next_cursor is None:
                return numbers
            cursor = page.next_cursor

    everything = [
        o.number
        for o in search.search_orders(RepairOrder.objects.all(), "芒果").order_by("-submitted_at", "-id")
    ]
    assert len(everything) == 9
    assert pages("芒果") == everything
    # Two words: "芒果 卡纸" is every one of the nine (each has 卡纸), "芒果 打印机" only the loner's.
    assert pages("芒果 卡纸") == everything
    assert pages("芒果 打印机") == [n for i, n in enumerate(reversed(everything)) if i % 3 == 1][::-1]
