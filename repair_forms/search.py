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
- names of people, companies and models live in small tables: they are matched first and the
  order filter gets their ids, which the order list's per-column indexes answer;
- every word of the query must match (``张小姐 蓝屏``), each anywhere.

Why trigrams and not full-text search: Chinese has no spaces, and PostgreSQL's built-in parsers
treat a run of Chinese as one word; a Chinese tokenizer (zhparser, pg_jieba) is a server extension
this deployment cannot rely on, and a dictionary tokenizer still misses fragments of order and
phone numbers. Trigram substring search finds any fragment of 3+ characters from the index; a
2-character word (``蓝屏``) has no trigram of its own, so a second GIN index over the document's
characters (``SEARCH_CHARACTERS``) narrows it first.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Func, Q, QuerySet, TextField, Value

from accounts.models import Customer, CustomerCompany
from repair_forms.models import Brand, MachineModel, RepairOrder

MIN_LENGTH = 2
MAX_TERMS = 5
# More matching people/companies than this and the ids are left to a subquery instead.
MAX_IDS = 500
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


class SearchCharacters(Func):
    """The document's characters as an array (``regexp_split_to_array(doc, '')``), GIN-indexed
    (``order_search_chars``): a word too short to hold a trigram (蓝屏) first narrows the orders to
    those containing each of its characters; the ``LIKE`` then checks they are adjacent."""

    function = "regexp_split_to_array"
    output_field = ArrayField(TextField())

    def __init__(self) -> None:
        super().__init__(SearchDocument(), Value(""))


SEARCH_DOCUMENT = SearchDocument()
SEARCH_CHARACTERS = SearchCharacters()
# The same expressions as SQL, for the migration's indexes.
SEARCH_DOCUMENT_SQL = "UPPER(" + " || ' ' || ".join(f'"{c}"' for c in SEARCH_COLUMNS) + ")"
SEARCH_CHARACTERS_SQL = f"regexp_split_to_array({SEARCH_DOCUMENT_SQL}, '')"
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


def _ids(queryset: QuerySet[Any]) -> list[int] | QuerySet[Any]:
    ids = list(queryset.values_list("pk", flat=True)[: MAX_IDS + 1])
    if len(ids) > MAX_IDS:
        return queryset.values("pk")
    return ids


def _term_filter(term: str) -> Q:
    """Orders matching one word anywhere."""
    upper = term.upper()
    match = Q(search_document__contains=upper)
    if len(upper) < TRIGRAM:
        match &= Q(search_characters__contains=list(upper))
    reporters = _ids(Customer.objects.filter(Q(name__icontains=term) | Q(phone__contains=term)))
    companies = _ids(CustomerCompany.objects.filter(name__icontains=term))
    models = _ids(MachineModel.objects.filter(name__icontains=term))
    brands = _ids(Brand.objects.filter(name__icontains=term))
    for field, ids in (("reporter_id", reporters), ("company_id", companies), ("model_id", models)):
        if not isinstance(ids, list) or ids:
            match |= Q(**{f"{field}__in": ids})
    if not isinstance(brands, list) or brands:
        match |= Q(brand_id__in=brands)
    return match


def search_orders(orders: QuerySet[RepairOrder], text: str) -> QuerySet[RepairOrder]:
    """``orders`` narrowed to those matching every word of ``text`` (unchanged for an empty
    query). The caller's scoping (tenant schema, role) is kept: this only narrows."""
    terms = search_terms(text)
    if not terms:
        return orders
    orders = orders.alias(search_document=SEARCH_DOCUMENT, search_characters=SEARCH_CHARACTERS)
    for term in terms:
        orders = orders.filter(_term_filter(term))
    return orders
