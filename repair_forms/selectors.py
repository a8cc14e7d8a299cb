"""Reads for orders, assets and the catalog. Order reads take the actor and are scoped by role:

- a customer sees the orders they filed; a company manager also every order of their company;
- an engineer sees the orders currently assigned to him;
- admins, dispatchers, supervisors (and the system) see all of the tenant's orders.

``order_get`` raises ``RepairOrder.DoesNotExist`` both for a missing order and for one the actor may
not see (the screens answer 404 either way). Lists are keyset-paginated on (submitted_at, id)
descending with an opaque cursor; every filter has an index that keeps pages index range scans.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from accounts.selectors import provider_settings
from repair_forms import lifecycle
from repair_forms.lifecycle import Actor, Role
from repair_forms.models import (
    ActorKind,
    Asset,
    Brand,
    Category,
    EventVisibility,
    MachineModel,
    OrderEvent,
    OrderPhoto,
    OrderStatus,
    Rating,
    RepairOrder,
    SuspensionDecision,
    SuspensionRequest,
    WorkOrder,
)
from repair_forms.numbering import NUMBERING_TZ
from repair_forms.queues import QUEUES, queue_filter
from repair_forms.search import first_matches, search_orders
from repair_forms.status_words import TAB_STATUSES

S = OrderStatus

# The customer's "my orders" tabs (GZIC: 待接单 / 已接单 / 已挂起 / 已完成 / 已取消).
ORDER_TABS: dict[str, tuple[str, ...]] = TAB_STATUSES
# The engineer's job list groups.
ENGINEER_GROUPS: dict[str, tuple[str, ...]] = {
    "active": (S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED),
    "awaiting": (S.AWAITING_CONFIRMATION,),
    "done": (S.COMPLETED,),
}
MAX_PAGE = 200


# --- Assets and catalog -----------------------------------------------------------------------------


def normalize_lookup_key(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def asset_lookup(query: str) -> Asset | None:
    """快捷报修: the active asset whose machine number or any serial number equals ``query``
    (ignoring case and spaces). A machine-number match wins over a serial match."""
    key = normalize_lookup_key(query)
    if not key:
        return None
    matches = list(
        Asset.objects.select_related("brand", "category", "model", "company")
        .filter(lookup_keys__contains=[key], is_active=True)
        .order_by("id")[:5]
    )
    for asset in matches:
        if normalize_lookup_key(asset.machine_no) == key:
            return asset
    return matches[0] if matches else None


def asset_form_values(asset: Asset) -> dict[str, Any]:
    """The report form's values an asset prefills (keys as in ``repair_forms.fields``)."""
    values: dict[str, Any] = {
        "serial": asset.serials[0] if asset.serials else "",
        "machine_no": asset.machine_no,
        "warranty": asset.effective_warranty(),
        "location": {
            "plot": asset.location_plot,
            "building": asset.location_building,
            "room": asset.location_room,
            "address": asset.location_address,
        },
    }
    if asset.brand_id:
        values["machine"] = {"brand": asset.brand_id, "category": asset.category_id, "model": asset.model_id}
    return values


def asset_by_token(token: str) -> Asset | None:
    """The asset a QR label points at (``<portal>/report/?asset=<token>``)."""
    if not token or len(token) > 24:
        return None
    return (
        Asset.objects.select_related("brand", "category", "model", "company")
        .filter(token=token, is_active=True)
        .first()
    )


def asset_list(*, query: str = "", company_id: int | None = None) -> QuerySet[Asset]:
    assets = Asset.objects.select_related("brand", "category", "model", "company").order_by(
        "machine_no", "id"
    )
    if query:
        key = normalize_lookup_key(query)
        assets = assets.filter(Q(lookup_keys__contains=[key]) | Q(machine_no__icontains=query.strip()))
    if company_id:
        assets = assets.filter(company_id=company_id)
    return assets


def catalog_tree(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Brand → category → model for the cascade: ``[{"id", "name", "categories": [{"id", "name",
    "models": [{"id", "name"}]}]}]``. Three queries."""
    flt = {} if include_inactive else {"is_active": True}
    brands = list(Brand.objects.filter(**flt).values("id", "name"))
    categories = list(Category.objects.filter(**flt).values("id", "name", "brand_id"))
    models = list(MachineModel.objects.filter(**flt).values("id", "name", "category_id"))
    by_category: dict[int, list[dict[str, Any]]] = {}
    for model in models:
        by_category.setdefault(model["category_id"], []).append({"id": model["id"], "name": model["name"]})
    by_brand: dict[int, list[dict[str, Any]]] = {}
    for category in categories:
        by_brand.setdefault(category["brand_id"], []).append(
            {"id": category["id"], "name": category["name"], "models": by_category.get(category["id"], [])}
        )
    return [{"id": b["id"], "name": b["name"], "categories": by_brand.get(b["id"], [])} for b in brands]


# --- Order scoping ----------------------------------------------------------------------------------


def _scope(actor: Actor) -> Q | None:
    """The filter that limits ``actor`` to their orders; None = everything; Q(pk__in=[]) = nothing."""
    if actor.kind == ActorKind.SYSTEM:
        return None
    if actor.customer is not None:
        customer = actor.customer
        scope = Q(reporter_id=customer.pk)
        if customer.is_company_manager and customer.company_id:
            scope |= Q(company_id=customer.company_id)
        return scope
    if actor.staff is not None and actor.staff.is_active:
        if actor.staff.role == StaffRole.ENGINEER:
            return Q(engineer_id=actor.staff.pk)
        return None
    return Q(pk__in=[])


def orders_visible_to(actor: Actor) -> QuerySet[RepairOrder]:
    scope = _scope(actor)
    orders = RepairOrder.objects.all()
    return orders if scope is None else orders.filter(scope)


LIST_RELATED = ("brand", "category", "model", "company", "reporter", "engineer")


def order_get(*, actor: Actor, order_id: int | None = None, number: str | None = None) -> RepairOrder:
    """One order the actor may see, by id or number; ``RepairOrder.DoesNotExist`` otherwise."""
    orders = orders_visible_to(actor).select_related(*LIST_RELATED, "asset", "template_version")
    if order_id is not None:
        return orders.get(pk=order_id)
    if number:
        return orders.get(number=number.strip().upper())
    raise RepairOrder.DoesNotExist


@dataclass
class OrderFilters:
    """Console / portal list filters (all optional). Dates are Asia/Shanghai calendar days,
    inclusive. ``tab`` is one of ``ORDER_TABS``; ``q`` is the search box (``repair_forms.search``:
    any part of the number, reporter, phone, company, machine, model, fault or notes)."""

    status: Sequence[str] | str | None = None
    tab: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    brand: int | None = None
    category: int | None = None
    service_type: str | None = None
    overdue: bool | None = None
    urged: bool | None = None
    engineer: int | None = None
    company: int | None = None
    q: str | None = None
    # A key of ``repair_forms.queues.QUEUES`` (the workbench's counts link here).
    queue: str | None = None


@dataclass
class OrderPage:
    items: list[RepairOrder]
    next_cursor: str | None


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=NUMBERING_TZ)


def apply_filters(orders: QuerySet[RepairOrder], filters: OrderFilters) -> QuerySet[RepairOrder]:
    statuses: list[str] = []
    if filters.status:
        statuses = [filters.status] if isinstance(filters.status, str) else list(filters.status)
    if filters.tab:
        if filters.tab not in ORDER_TABS:
            raise ValidationError({"tab": [_("Unknown tab.")]})
        statuses = [s for s in ORDER_TABS[filters.tab] if not statuses or s in statuses] or ["-"]
    if any(s not in S.values for s in statuses if s != "-"):
        raise ValidationError({"status": [_("Choose a valid progress.")]})
    if len(statuses) == 1:
        orders = orders.filter(status=statuses[0])
    elif statuses:
        orders = orders.filter(status__in=statuses)
    if filters.date_from:
        orders = orders.filter(submitted_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        orders = orders.filter(submitted_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    for name in ("brand", "category", "engineer", "company"):
        value = getattr(filters, name)
        if value:
            orders = orders.filter(**{f"{name}_id": value})
    if filters.service_type:
        orders = orders.filter(service_type=filters.service_type)
    if filters.overdue is not None:
        orders = orders.filter(is_overdue=filters.overdue)
    if filters.urged is not None:
        orders = orders.filter(is_urged=filters.urged)
    if filters.queue:
        if filters.queue not in QUEUES:
            raise ValidationError({"queue": [_("Unknown queue.")]})
        orders = orders.filter(queue_filter(filters.queue))
    if filters.q and filters.q.strip():
        orders = search_orders(orders, filters.q)
    return orders


def encode_cursor(order: RepairOrder) -> str:
    raw = f"{order.submitted_at.isoformat()}|{order.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        parsed = parse_datetime(stamp)
        if parsed is None:
            raise ValueError
        return parsed, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(
            {"cursor": [_("This page link is no longer valid; start from the first page.")]}
        ) from None


def order_list(
    *, actor: Actor, filters: OrderFilters | None = None, cursor: str | None = None, limit: int = 50
) -> OrderPage:
    """A page of orders the actor may see, newest first, with brand/category/model/company/reporter/
    engineer loaded (one query). ``next_cursor`` is None on the last page."""
    limit = max(1, min(limit, MAX_PAGE))
    filters = filters or OrderFilters()
    # The search box is applied last, to the filtered rows after the cursor, and reads only as
    # far as the page's limit + 1 matches (``search.first_matches``).
    orders = apply_filters(orders_visible_to(actor), replace(filters, q=None))
    if cursor:
        stamp, pk = decode_cursor(cursor)
        # A row comparison (not "a < x OR (a = x AND b < y)") lets PostgreSQL start the index scan
        # right at the cursor, so page 1,000 costs what page 1 costs. Values are bound parameters.
        table = RepairOrder._meta.db_table
        orders = orders.extra(  # noqa: S610
            where=[f'("{table}"."submitted_at", "{table}"."id") < (%s, %s)'], params=[stamp, pk]
        )
    if filters.q and filters.q.strip():
        orders = first_matches(orders, filters.q, limit + 1)
    rows = list(orders.select_related(*LIST_RELATED).order_by("-submitted_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return OrderPage(items=rows[:limit], next_cursor=next_cursor)


def order_export_rows(*, actor: Actor, filters: OrderFilters | None = None, batch: int = 2000) -> Any:
    """Every matching order (for CSV export), streamed in keyset batches."""
    cursor = None
    while True:
        page = order_list(actor=actor, filters=filters, cursor=cursor, limit=MAX_PAGE)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# --- One order's details ----------------------------------------------------------------------------


def order_timeline(*, actor: Actor, order: RepairOrder) -> list[OrderEvent]:
    """The order's events, oldest first, with their photos; customers never see internal events
    nor staff-only notes (``OrderEvent.note_visible_to_customer``).
    (``order`` must come from ``order_get`` for this actor.)"""
    events = OrderEvent.objects.filter(order=order).prefetch_related(
        Prefetch("photos", queryset=OrderPhoto.objects.order_by("id"))
    )
    if actor.is_staff:
        return list(events.order_by("created_at", "id"))
    found = list(events.filter(visibility=EventVisibility.PUBLIC).order_by("created_at", "id"))
    for event in found:
        # A staff-only note never leaves this function for a customer (timeline, API, exports).
        event.note = event.customer_note
    return found


def order_photos(*, order: RepairOrder, kind: str | None = None) -> list[OrderPhoto]:
    photos = OrderPhoto.objects.filter(order=order)
    if kind:
        photos = photos.filter(kind=kind)
    return list(photos.order_by("id"))


def order_work_orders(*, order: RepairOrder) -> list[WorkOrder]:
    return list(
        WorkOrder.objects.filter(order=order).select_related("engineer", "dispatched_by").order_by("id")
    )


def order_suspensions(*, order: RepairOrder, actor: Actor | None = None) -> list[SuspensionRequest]:
    """The order's suspension requests; a customer ``actor`` sees the engineer's reason and the
    decision, never the supervisor's decision note (written for the engineer)."""
    found = list(
        SuspensionRequest.objects.filter(order=order)
        .select_related("requested_by", "decided_by")
        .prefetch_related("photos")
        .order_by("id")
    )
    if actor is not None and not actor.is_staff:
        for suspension in found:
            suspension.decision_note = ""
    return found


def order_rating(*, order: RepairOrder) -> Rating | None:
    return Rating.objects.filter(order=order).first()


def order_actions(*, actor: Actor, order: RepairOrder, now: datetime | None = None) -> list[str]:
    """The transitions the actor can fire on this order right now — state, role and the rules that
    depend on time or settings (urge timing, ratings, a pending suspension, already rated). The
    screens show exactly these buttons; the services re-check everything anyway."""
    now = now or timezone.now()
    names = lifecycle.available_transitions(order, actor)
    if not names:
        return names
    result = []
    settings = provider_settings() if {"urge", "rate"} & set(names) else None
    pending = None
    if {"request_suspension", "approve_suspension", "reject_suspension"} & set(names):
        pending = SuspensionRequest.objects.filter(order=order, decision=SuspensionDecision.PENDING).exists()
    for name in names:
        if name == "urge":
            assert settings is not None
            if now < order.submitted_at + timedelta(hours=settings.urge_after_hours):
                continue
            if order.last_urged_at and now < order.last_urged_at + timedelta(
                seconds=lifecycle.URGE_INTERVAL_SECONDS
            ):
                continue
        elif name == "rate":
            assert settings is not None
            if not settings.ratings_enabled or order.rating_stars is not None:
                continue
        elif (name == "request_suspension" and pending) or (
            name in ("approve_suspension", "reject_suspension") and not pending
        ):
            continue
        elif name == "confirm_completion" and actor.customer is not None and order.engineer_id is not None:
            engineer = order.engineer
            if engineer is not None and engineer.phone == actor.customer.phone:
                continue
        result.append(name)
    return result


def urge_available_at(*, order: RepairOrder) -> datetime | None:
    """When the urge button appears (None once the order can no longer be urged)."""
    if order.status not in lifecycle.TRANSITIONS["urge"].sources:
        return None
    opens = order.submitted_at + timedelta(hours=provider_settings().urge_after_hours)
    if order.last_urged_at:
        opens = max(opens, order.last_urged_at + timedelta(seconds=lifecycle.URGE_INTERVAL_SECONDS))
    return opens


# --- Dashboard and engineer jobs --------------------------------------------------------------------


def dashboard_counts(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Counts per status plus ``overdue`` and ``urged`` among active orders and ``today`` (filed
    today, Asia/Shanghai). One query."""
    now = now or timezone.now()
    today = _day_start(timezone.localtime(now, NUMBERING_TZ).date())
    active = ~Q(status__in=[S.COMPLETED, S.CANCELLED])
    aggregates: dict[str, Any] = {status: Count("id", filter=Q(status=status)) for status in S.values}
    aggregates["overdue"] = Count("id", filter=active & Q(is_overdue=True))
    aggregates["urged"] = Count("id", filter=active & Q(is_urged=True))
    aggregates["today"] = Count("id", filter=Q(submitted_at__gte=today))
    aggregates["total"] = Count("id")
    counts = orders_visible_to(actor).aggregate(**aggregates)
    return {key: int(value or 0) for key, value in counts.items()}


def orders_per_day(*, actor: Actor, days: int = 30, now: datetime | None = None) -> list[dict[str, Any]]:
    """``days`` entries, oldest first: ``{"day": date, "count": orders filed, "avg_waiting_seconds":
    mean submit → accept time of those accepted (None if none)}``. One query."""
    now = now or timezone.now()
    last = timezone.localtime(now, NUMBERING_TZ).date()
    first = last - timedelta(days=days - 1)
    rows = (
        orders_visible_to(actor)
        .filter(submitted_at__gte=_day_start(first))
        .annotate(day=TruncDate("submitted_at", tzinfo=NUMBERING_TZ))
        .values("day")
        .annotate(count=Count("id"), avg_waiting=Avg(F("accepted_at") - F("submitted_at")))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        waiting = row["avg_waiting"] if row else None
        series.append(
            {
                "day": day,
                "count": row["count"] if row else 0,
                "avg_waiting_seconds": waiting.total_seconds() if waiting is not None else None,
            }
        )
    return series


def engineer_jobs(*, actor: Actor, group: str = "active", limit: int = 100) -> list[RepairOrder]:
    """The signed-in engineer's orders: ``active`` (dispatched, in repair, suspended), ``awaiting``
    (job sheet submitted) or ``done``; soonest appointment first for active jobs."""
    if group not in ENGINEER_GROUPS:
        raise ValidationError({"group": [_("Unknown job list.")]})
    if not (actor.is_staff and actor.role == StaffRole.ENGINEER):
        return []
    orders = RepairOrder.objects.filter(
        engineer=actor.staff, status__in=ENGINEER_GROUPS[group]
    ).select_related(*LIST_RELATED)
    if group == "active":
        orders = orders.order_by(F("appointment_at").asc(nulls_last=True), "submitted_at", "id")
    else:
        orders = orders.order_by("-updated_at", "-id")
    return list(orders[:limit])


def tab_counts(*, actor: Actor) -> dict[str, int]:
    """Number of orders per "my orders" tab (one query)."""
    aggregates = {tab: Count("id", filter=Q(status__in=statuses)) for tab, statuses in ORDER_TABS.items()}
    counts = orders_visible_to(actor).aggregate(**aggregates)
    return {key: int(value or 0) for key, value in counts.items()}


def is_back_office(actor: Actor) -> bool:
    return actor.is_staff and actor.role in (Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR)
