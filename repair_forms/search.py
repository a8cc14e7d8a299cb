"""The console's one search box: any part of an order number, the reporter's name or phone (any
4+ digits), the company, machine number, serial, brand or model, the fault description and notes —
Chinese or English, any case.

How it stays fast at a million orders (figures in bench/README.md):
- the order's own searchable text is one expression, ``SEARCH_DOCUMENT`` (upper-cased, so English
  matches any case), indexed with a pg_trgm GIN index (``order_search_trgm``, migration
  ``0005_order_search_trigram``); a substring filter on it (``LIKE '%…%'``) is answered from the
  index. The index is created from ``SEARCH_DOCUMENT_SQL`` in the migration rather than in the
  model's Meta, and ``repair_forms/tests/test_search.py`` checks that the planner uses it for the
  query this module builds, so the two can never drift apart unnoticed;
- names of people, companies, models and brands live in small tables: they are matched first
  (one query for every word) and the order filter gets their ids;
- a list page (``first_matches``, used by ``selectors.order_list``) never ORs those ways in one
  query: each way — the order's own text, each matching person, company, model or brand — is its
  own ``ORDER BY … LIMIT`` part answered by one index already in list order (the list indexes
  ``order_*_list_idx``), and a ``UNION ALL`` of the parts holds the page. An OR made PostgreSQL
  fetch and sort a company's 4,000 orders or walk the list index past 10,000 rows (28–38 ms per
  page at a million orders); the parts take under 1 ms each. There is no count: pages are keyset;
- every word of the query must match (``张小姐 蓝屏``), each anywhere.

Why trigrams and not full-text search: Chinese has no spaces, and PostgreSQL's built-in parsers
treat a run of Chinese as one word; a Chinese tokenizer (zhparser, pg_jieba) is a server extension
this deployment cannot rely on, and a dictionary tokenizer still misses fragments of order and
phone numbers. Trigram substring search finds any fragment of 3+ characters from the index; a
1- or 2-character word (``蓝屏``) has no trigram of its own, so a second GIN index holds the
document's characters and character pairs (``SEARCH_GRAMS``, migration 0007; it replaced an index
of single characters, which could not tell 打纸 — no order — from 打 and 纸, each in a sixth of
the orders, and walked all million orders for it: 4.6 s).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, TextField, Value

from accounts.models import Customer, CustomerCompany
from repair_forms.models import Brand, MachineModel, RepairOrder

MIN_LENGTH = 2
MAX_TERMS = 5
# More matching people/companies than this and the ids are left to a subquery instead.
MAX_IDS = 2000
# How many of the newest orders are checked for a word before its index is read instead.
WINDOW = 5000
_PHONE_LIKE = re.compile(r"^[\d\s+\-()]+$")

SEARCH_COLUMNS = (
    "number",
    "contact_name",
    "contact_phone",
    "machine_no",
    "serial",
    "fault_description",
    "notes",
)


class SearchDocument(Func):
    """``UPPER(number || ' ' || contact_name || …)``: plain ``||`` over NOT NULL columns, written
    out so the SQL is exactly the index's expression (Django's ``Concat`` wraps every part in
    ``COALESCE``, which the index would not match)."""

    template = "UPPER(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(F(column) for column in SEARCH_COLUMNS))


# Every 1- and 2-character piece of a text: its characters, then its pairs from offset 0 and from
# offset 1 (``regexp_replace`` cuts the text into pairs with a unit separator, chr(31), after each;
# only immutable built-ins, so it can be an index expression and needs no function in the schema).
GRAMS_SQL = (
    "(regexp_split_to_array({doc}, '')"
    " || regexp_split_to_array(regexp_replace({doc}, '(..)', '\\1' || chr(31), 'g'), chr(31))"
    " || regexp_split_to_array(regexp_replace(substr({doc}, 2), '(..)', '\\1' || chr(31), 'g'), chr(31)))"
)


class SearchGrams(Func):
    """The document's characters and character pairs as an array, GIN-indexed
    (``order_search_grams``): a word too short to hold a trigram (蓝屏, 张) is one element of it,
    answered exactly from the index (``@>``), and PostgreSQL's element statistics tell a rare
    pair from a common one, so the planner reads the index or walks the list accordingly."""

    template = GRAMS_SQL.format(doc="%(expressions)s")
    output_field = ArrayField(TextField())

    def __init__(self) -> None:
        super().__init__(SearchDocument())


SEARCH_DOCUMENT = SearchDocument()
SEARCH_GRAMS = SearchGrams()
# The same expressions as SQL, for the migrations' indexes.
SEARCH_DOCUMENT_SQL = "UPPER(" + " || ' ' || ".join(f'"{c}"' for c in SEARCH_COLUMNS) + ")"
SEARCH_GRAMS_SQL = GRAMS_SQL.format(doc=SEARCH_DOCUMENT_SQL)
TRIGRAM = 3


def search_terms(text: str) -> list[str]:
    """The words of a query. A query that looks like a phone number (digits, spaces, +, -, brackets)
    is one term of its digits, so "138 0013 8000" finds 13800138000."""
    text = (text or "").strip()[:80]
    if _PHONE_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        return [digits] if len(digits) >= MIN_LENGTH else []
    terms = [t for t in text.split() if len(t) >= MIN_LENGTH or not t.isascii()]
    return terms[:MAX_TERMS]


@dataclass
class _Lookups:
    """One term's matches in the small tables: a list of ids, or a subquery when there are more
    than ``MAX_IDS`` (the term is then common enough that walking the list index finds a page)."""

    by_field: dict[str, list[int] | QuerySet[Any]] = field(default_factory=dict)


# (order column, model, filter for a term) — the small tables a term is looked up in first.
_LOOKUP_TABLES: tuple[tuple[str, Any, Callable[[str], Q]], ...] = (
    ("reporter_id", Customer, lambda term: Q(name__icontains=term) | Q(phone__contains=term)),
    ("company_id", CustomerCompany, lambda term: Q(name__icontains=term)),
    ("model_id", MachineModel, lambda term: Q(name__icontains=term)),
    ("brand_id", Brand, lambda term: Q(name__icontains=term)),
)


def _lookups(terms: list[str]) -> list[_Lookups]:
    """Every term's ids in every small table, in one query (a UNION ALL of LIMITed parts)."""
    parts = []
    for index, term in enumerate(terms):
        for column, model, condition in _LOOKUP_TABLES:
            tag = f"{index}:{column}"
            parts.append(
                model.objects.filter(condition(term))
                .annotate(search_tag=Value(tag, output_field=TextField()))
                .order_by("pk")
                .values_list("search_tag", "pk")[: MAX_IDS + 1]
            )
    found: dict[str, list[int]] = {}
    for tag, pk in parts[0].union(*parts[1:], all=True):
        found.setdefault(tag, []).append(pk)
    result = []
    for index, term in enumerate(terms):
        lookups = _Lookups()
        for column, model, condition in _LOOKUP_TABLES:
            ids = found.get(f"{index}:{column}", [])
            lookups.by_field[column] = (
                model.objects.filter(condition(term)).values("pk") if len(ids) > MAX_IDS else ids
            )
        result.append(lookups)
    return result


def _own_text(term: str) -> Q:
    """The order's own text contains the term, written for the search indexes: a word too short
    for a trigram as an element of the grams array (exact on its own), longer ones as a ``LIKE``
    for the trigram index."""
    upper = term.upper()
    if len(upper) < TRIGRAM:
        return Q(search_grams__contains=[upper])
    return Q(search_document__contains=upper)


def _term_filter(term: str, lookups: _Lookups) -> Q:
    """Orders matching one word anywhere."""
    match = _own_text(term)
    for column, ids in lookups.by_field.items():
        if not isinstance(ids, list) or ids:
            match |= Q(**{f"{column}__in": ids})
    return match


def search_orders(orders: QuerySet[RepairOrder], text: str) -> QuerySet[RepairOrder]:
    """``orders`` narrowed to those matching every word of ``text`` (unchanged for an empty
    query). The caller's scoping (tenant schema, role) is kept: this only narrows. For the
    list's pages use ``first_matches``, which is the same set, read in page-sized pieces."""
    terms = search_terms(text)
    if not terms:
        return orders
    orders = orders.alias(search_document=SEARCH_DOCUMENT, search_grams=SEARCH_GRAMS)
    for term, lookups in zip(terms, _lookups(terms), strict=True):
        orders = orders.filter(_term_filter(term, lookups))
    return orders


def _fenced_head(orders: QuerySet[RepairOrder], limit: int) -> list[tuple[Any, int]]:
    """The first ``limit`` rows of ``orders`` (newest first) computed from the whole match set:
    a ``MATERIALIZED`` CTE keeps PostgreSQL from walking the list index for them, and sequential
    scans are off for the statement, so the set comes from the search indexes (bitmap scans,
    whose cost is the number of matches, however rare)."""
    sql, params = orders.values_list("submitted_at", "pk").query.sql_with_params()
    # The setting is local to the transaction: open one if the caller has none (no savepoint).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        cursor.execute(
            f"WITH matches AS MATERIALIZED ({sql}) "  # noqa: S608 — Django's own SQL, bound params
            "SELECT * FROM matches ORDER BY 1 DESC, 2 DESC LIMIT %s",
            [*params, limit],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")
    return [(stamp, pk) for stamp, pk in rows]


def _window_head(
    orders: QuerySet[RepairOrder], terms: list[str], all_lookups: list[_Lookups], limit: int
) -> list[tuple[Any, int]]:
    """The first ``limit`` matches among the newest ``WINDOW`` rows of ``orders``. The window is
    a LIMITed subquery in list order, so PostgreSQL walks the list index and stops as soon as
    ``limit`` rows pass the filter (a common word: a few hundred rows), or at ``WINDOW``. The
    filter is ``strpos``, which no index answers (a 1- or 2-character ``LIKE`` has no trigram,
    and PostgreSQL would read the whole trigram index for it: 2–3 s at a million orders)."""
    columns = ("submitted_at", "id", *SEARCH_COLUMNS, *(c for c, _m, _f in _LOOKUP_TABLES))
    window = orders.order_by("-submitted_at", "-id").values_list(*columns)[:WINDOW]
    window_sql, window_params = window.query.sql_with_params()
    document = "UPPER(" + " || ' ' || ".join(f'w."{c}"' for c in SEARCH_COLUMNS) + ")"
    conditions = []
    params: list[Any] = list(window_params)
    for term, lookups in zip(terms, all_lookups, strict=True):
        ways = [f"strpos({document}, %s) > 0"]
        params.append(term.upper())
        for column, ids in lookups.by_field.items():
            if isinstance(ids, list):
                if ids:
                    ways.append(f'w."{column}" = ANY(%s)')
                    params.append(ids)
            else:
                sub_sql, sub_params = ids.query.sql_with_params()
                ways.append(f'w."{column}" IN ({sub_sql})')
                params.extend(sub_params)
        conditions.append("(" + " OR ".join(ways) + ")")
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.submitted_at, w.id FROM ({window_sql}) AS w "  # noqa: S608 — Django's SQL
            f"WHERE {' AND '.join(conditions)} ORDER BY 1 DESC, 2 DESC LIMIT %s",
            params,
        )
        return [(stamp, pk) for stamp, pk in cursor.fetchall()]


def first_matches(orders: QuerySet[RepairOrder], text: str, limit: int) -> QuerySet[RepairOrder]:
    """The first ``limit`` orders of ``orders`` (newest first, the list order) matching every
    word of ``text``, as a queryset of those ids (``orders`` unchanged for an empty query).
    ``orders`` must already carry every other filter and the page's keyset cursor.

    No estimate can tell PostgreSQL whether a search is common (walk the list until ``limit``
    match) or rare (read the indexes' matches, then sort them): 打印 and 卡纸 are each in a sixth
    of the orders and never together, and walking the list for "打印 卡纸" read all million rows
    (2 s); reading the index for 打印 alone fetches 166,000 rows. So the page is read in two
    bounded steps: the newest ``WINDOW`` rows of ``orders`` are checked first
    (``_window_head``); if ``limit`` of them match, they are the page (every later match is
    older). Otherwise matches are rarer than ``limit`` in ``WINDOW`` and come from the search
    indexes instead (``_fenced_head``), at a cost that grows with their number. Pages are
    keyset: no count."""
    terms = search_terms(text)
    if not terms:
        return orders
    all_lookups = _lookups(terms)
    page = _window_head(orders, terms, all_lookups, limit)
    if len(page) < limit:
        everywhere = orders.alias(search_document=SEARCH_DOCUMENT, search_grams=SEARCH_GRAMS)
        for term, lookups in zip(terms, all_lookups, strict=True):
            everywhere = everywhere.filter(_term_filter(term, lookups))
        page = _fenced_head(everywhere, limit)
    return orders.filter(pk__in=[pk for _stamp, pk in page])
