"""What the order screens and the API show, shared by the customer portal, the console, the
engineer and manager views and the JSON API: who is acting, how a refused transition is answered,
the timeline as readable entries, the SLA durations, the fields of an order and its photos.

Reads only: every write goes through ``repair_forms.services``. Everything here takes the actor and
reaches orders through ``repair_forms.selectors`` (scoped by role), so a screen never shows an order
its user may not see.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer, StaffMember, StaffRole
from accounts.selectors import (
    provider_profile,
    provider_profile_cached,
    provider_settings,
)
from accounts.validators import tel_href
from repair_forms import lifecycle, sla
from repair_forms.fields import CORE_KEYS, field_label, localized
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import (
    Asset,
    EventVisibility,
    OrderEvent,
    OrderPhoto,
    OrderStatus,
    PhotoKind,
    Rating,
    RepairOrder,
    ServiceType,
    SuspensionRequest,
    WarrantyStatus,
    WorkOrder,
)
from repair_forms.selectors import (
    OrderFilters,
    OrderPage,
    order_actions,
    order_get,
    order_list,
    order_photos,
    order_rating,
    order_suspensions,
    order_timeline,
    order_work_orders,
    urge_available_at,
)
from repair_forms.services import SubmittedOrder

S = OrderStatus
OFFICE_ROLES = (StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR)
CUSTOMER_TRANSITIONS = frozenset(
    {"edit", "cancel", "urge", "confirm_completion", "reject_completion", "rate"}
)
OFFICE_TRANSITIONS = frozenset(
    {"accept", "dispatch", "approve_suspension", "reject_suspension", "set_progress", "add_note", "resume"}
)
ENGINEER_TRANSITIONS = frozenset({"start", "request_suspension", "resume", "submit_job_sheet", "add_note"})


def customer_actor(customer: Customer) -> Actor:
    return Actor.for_customer(customer)


def staff_actor(staff: StaffMember) -> Actor:
    return Actor.for_staff(staff)


def refusal_status(exc: TransitionNotAllowed) -> int:
    """HTTP status of a refused transition: the wrong person → 403, the wrong moment → 409."""
    return 403 if getattr(exc, "code", "") == "wrong_role" else 409


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def lookup_asset(query: str) -> Asset | None:
    """快捷报修 lookup: local first, then the provider's bound external asset system
    (``integrations.asset_systems.lookup.asset_lookup_anywhere``); the local lookup alone when
    that module is not installed."""
    text = str(query or "").strip()[:80]
    if not text:
        return None
    try:
        module = importlib.import_module("integrations.asset_systems.lookup")
    except ImportError:  # pragma: no cover - the asset-systems app is part of the project
        from repair_forms.selectors import asset_lookup

        return asset_lookup(text)
    found: Asset | None = module.asset_lookup_anywhere(text)
    return found


# --- Labels ---------------------------------------------------------------------------------------


def status_label(value: str) -> str:
    return str(S(value).label) if value in S.values else value


def service_type_label(value: str) -> str:
    return str(ServiceType(value).label) if value in ServiceType.values else value


def warranty_label(value: str) -> str:
    return str(WarrantyStatus(value).label) if value in WarrantyStatus.values else value


def transition_label(name: str) -> str:
    transition = lifecycle.TRANSITIONS.get(name)
    return str(transition.label) if transition else name


def local_minutes(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- Timeline -------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    event: OrderEvent
    title: str
    actor: str
    status: str  # the new progress, when this step changed it
    note: str
    details: list[tuple[str, str]] = field(default_factory=list)
    photos: list[OrderPhoto] = field(default_factory=list)
    internal: bool = False

    @property
    def at(self) -> datetime:
        return self.event.created_at


# What the customer changed, named as the form names it ("修改项 故障描述", not "fault_description").
CHANGED_LABELS: dict[str, Any] = {
    "brand": gettext_lazy("Brand"),
    "category": gettext_lazy("Category"),
    "model": gettext_lazy("Model"),
    "machine_no": gettext_lazy("Machine number"),
    "serial": gettext_lazy("Serial number"),
    "fault_description": gettext_lazy("Fault description"),
    "service_type": gettext_lazy("Service type"),
    "warranty_status": gettext_lazy("Warranty"),
    "appointment_at": gettext_lazy("Appointment"),
    "appointment_until": gettext_lazy("Appointment"),
    "notes": gettext_lazy("Notes"),
    "location_plot": gettext_lazy("Plot"),
    "location_building": gettext_lazy("Building"),
    "location_room": gettext_lazy("Room"),
    "location_address": gettext_lazy("Address"),
    "contact_name": gettext_lazy("Contact"),
    "contact_phone": gettext_lazy("Contact phone"),
    "photos_removed": gettext_lazy("Photos"),
    "photos_added": gettext_lazy("Photos"),
}


# Timeline titles that read better than the transition's verb.
EVENT_TITLES: dict[str, Any] = {
    "submit": gettext_lazy("Reported"),
    "urge": gettext_lazy("The customer urged the repair centre"),
}


def _changed_labels(event: OrderEvent, keys: Any) -> str:
    version = event.order.template_version if event.order_id else None
    form_labels = {d["key"]: field_label(d) for d in (version.fields if version is not None else [])}
    labels: list[str] = []
    for key in sorted(str(k) for k in keys):
        label = str(CHANGED_LABELS[key]) if key in CHANGED_LABELS else form_labels.get(key, key)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def _event_details(event: OrderEvent) -> list[tuple[str, str]]:
    payload = event.payload or {}
    details: list[tuple[str, str]] = []
    name = event.transition
    if name == "dispatch":
        details.append((_("Work order"), str(payload.get("work_order", ""))))
        details.append((_("Engineer"), str(payload.get("engineer_name", ""))))
        if payload.get("reassign"):
            details.append((_("Reassigned"), _("yes")))
    elif name == "submit_job_sheet":
        details.append((_("Work done"), str(payload.get("work_done", ""))))
        details.append((_("Result"), str(payload.get("result", ""))))
        parts = payload.get("parts") or []
        if parts:
            details.append(
                (_("Parts used"), ", ".join(f"{p.get('name')} × {p.get('quantity')}" for p in parts))
            )
    elif name == "rate":
        details.append((_("Stars"), "★" * int(payload.get("stars") or 0)))
        if payload.get("tags"):
            details.append((_("Tags"), ", ".join(str(t) for t in payload["tags"])))
    elif name == "urge":
        details.append((_("Times urged"), str(payload.get("urge_count", ""))))
    elif name == "edit":
        changes = payload.get("changes") or {}
        if changes:
            details.append((_("Changed"), _changed_labels(event, changes)))
    elif name == "flag_overdue":
        clock = payload.get("clock")
        details.append((_("Clock"), _("waiting for acceptance") if clock == "waiting" else _("repair")))
    elif name == "confirm_completion" and payload.get("auto"):
        details.append((_("Confirmed"), _("automatically, after the confirmation period")))
    if payload.get("external_status"):
        details.append((_("Asset system status"), str(payload["external_status"])))
    return [(label, value) for label, value in details if value]


def timeline_entries(
    events: list[OrderEvent], *, photos: dict[int, list[OrderPhoto]] | None = None
) -> list[TimelineEntry]:
    """``photos``: each event's photos when the caller has them (else ``event.photos``, prefetched)."""
    entries = []
    for event in events:
        changed = bool(event.to_status) and event.to_status != event.from_status
        entries.append(
            TimelineEntry(
                event=event,
                title=str(EVENT_TITLES[event.transition])
                if event.transition in EVENT_TITLES
                else transition_label(event.transition).capitalize(),
                actor=event.actor_display or (_("System") if event.actor_kind == "system" else ""),
                status=status_label(event.to_status) if changed else "",
                note=event.note,
                details=_event_details(event),
                photos=photos[event.pk] if photos is not None else list(event.photos.all()),
                internal=event.visibility == EventVisibility.INTERNAL,
            )
        )
    return entries


# --- Order fields as shown ------------------------------------------------------------------------


def _extra_value(definition: dict[str, Any], value: Any) -> str:
    kind = definition["type"]
    if value in (None, "", []):
        return ""
    if kind == "select":
        for option in definition.get("options", []):
            if option["value"] == value:
                return localized(option["label"])
        return str(value)
    if kind == "multi_select":
        labels = {o["value"]: localized(o["label"]) for o in definition.get("options", [])}
        return ", ".join(labels.get(v, str(v)) for v in value)
    if kind == "datetime":
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return local_minutes(parsed)
    return str(value)


def order_fields(order: RepairOrder) -> list[tuple[str, str]]:
    """(label, value) of the order's core fields (the seed's 查询 card) and its template's other
    fields, in a stable order; empty values are left out except the seed's main columns."""
    rows: list[tuple[str, str]] = [
        (_("Brand"), order.brand.name if order.brand else ""),
        (_("Category"), order.category.name if order.category else ""),
        (_("Model"), order.model.name if order.model else ""),
        (_("Machine number"), order.machine_no),
        (_("Serial number"), order.serial),
        (_("Fault description"), order.fault_description),
        (_("Service type"), service_type_label(order.service_type)),
        (_("Warranty"), warranty_label(order.warranty_status)),
        (
            _("Appointment"),
            local_minutes(order.appointment_at)
            + (f" – {local_minutes(order.appointment_until)}" if order.appointment_until else ""),
        ),
        (_("Notes"), order.notes),
        (_("Plot"), order.location_plot),
        (_("Building"), order.location_building),
        (_("Room"), order.location_room),
        (_("Address"), order.location_address),
        (_("Contact"), order.contact_name),
        (_("Contact phone"), order.contact_phone),
    ]
    main = 10
    shown = rows[:main] + [row for row in rows[main:] if row[1]]
    version = order.template_version
    if version is not None:
        for definition in version.fields:
            key = definition["key"]
            if key in CORE_KEYS or definition["type"] == "images":
                continue
            value = _extra_value(definition, order.extra.get(key))
            if value:
                shown.append((field_label(definition), value))
    return shown


def order_page(
    *, actor: Actor, filters: OrderFilters | None = None, cursor: str | None = None, limit: int = 50
) -> OrderPage:
    """``selectors.order_list`` with the join order fixed for PostgreSQL's planner.

    The page joins the order to six small lookup tables (brand, category, model, company,
    reporter, engineer). Searching every join order for that costs PostgreSQL ~29 ms of *planning*
    per page (EXPLAIN: execution ~1 ms) — most of a page's database time, at any table size. The
    order as written (the orders' index scan first, then one primary-key lookup per row and table)
    is the right plan, so ``join_collapse_limit = 1`` for this one statement (``SET LOCAL``: the
    transaction ends right after) brings planning to ~1.4 ms. Same rows, same single query."""
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL join_collapse_limit = 1")
        return order_list(actor=actor, filters=filters, cursor=cursor, limit=limit)


def list_rows(orders: list[RepairOrder]) -> list[dict[str, Any]]:
    """The console list's cells as plain strings, computed in Python: a page of 50 orders × 14
    columns rendered through template filters was most of the page's time."""
    statuses = {value: str(label) for value, label in S.choices}
    services = {value: str(label) for value, label in ServiceType.choices}
    warranties = {value: str(label) for value, label in WarrantyStatus.choices}

    def cut(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    return [
        {
            "pk": o.pk,
            "number": o.number,
            "status": o.status,
            "status_label": statuses.get(o.status, o.status),
            "overdue": o.is_overdue,
            "urged": o.is_urged,
            "engineer": (o.engineer.display_name or o.engineer.phone) if o.engineer else "",
            "submitted": local_minutes(o.submitted_at),
            "brand": o.brand.name if o.brand else "",
            "category": o.category.name if o.category else "",
            "model": o.model.name if o.model else "",
            "machine_no": o.machine_no,
            "serial": o.serial,
            "fault": cut(o.fault_description, 40),
            "service_type": services.get(o.service_type, ""),
            "warranty": warranties.get(o.warranty_status, ""),
            "appointment": local_minutes(o.appointment_at),
            "notes": cut(o.notes, 30),
        }
        for o in orders
    ]


def location_text(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


# --- One order's page -----------------------------------------------------------------------------


@dataclass
class OrderView:
    """Everything an order page shows (built by ``order_view``)."""

    order: RepairOrder
    actor: Actor
    fields: list[tuple[str, str]]
    timeline: list[TimelineEntry]
    actions: list[str]
    report_photos: list[OrderPhoto]
    work_orders: list[WorkOrder]
    suspensions: list[SuspensionRequest]
    rating: Rating | None
    waiting: str
    repair: str
    suspended: str
    urge_at: datetime | None
    repair_centre_phone: str
    repair_centre_tel: str
    star_descriptions: dict[str, str]
    rating_tags: list[str]

    @property
    def work_order(self) -> WorkOrder | None:
        return self.work_orders[-1] if self.work_orders else None

    @property
    def pending_suspension(self) -> SuspensionRequest | None:
        return next((s for s in self.suspensions if s.decision == "pending"), None)

    def can(self, name: str) -> bool:
        return name in self.actions

    @property
    def urge_later(self) -> bool:
        """The urge button is still to come (not "…后可以催单" long after that time has passed)."""
        return self.urge_at is not None and self.urge_at > timezone.now()

    @property
    def star_choices(self) -> list[tuple[int, str]]:
        return [(n, self.star_descriptions.get(str(n), "")) for n in range(5, 0, -1)]


def order_view(*, actor: Actor, order: RepairOrder, now: datetime | None = None) -> OrderView:
    """The order as ``actor`` sees it. ``order`` must come from ``order_get`` for this actor."""
    now = now or timezone.now()
    settings = provider_settings()
    profile = provider_profile()
    suspended = sla.suspended_duration(order, now)
    return OrderView(
        order=order,
        actor=actor,
        fields=order_fields(order),
        timeline=timeline_entries(order_timeline(actor=actor, order=order)),
        actions=order_actions(actor=actor, order=order, now=now),
        report_photos=order_photos(order=order, kind=PhotoKind.REPORT),
        work_orders=order_work_orders(order=order),
        suspensions=order_suspensions(order=order, actor=actor),
        rating=order_rating(order=order),
        waiting=sla.format_duration(sla.waiting_duration(order, now)),
        repair=sla.format_duration(sla.repair_duration(order, now)),
        suspended=sla.format_duration(suspended) if suspended.total_seconds() else "",
        urge_at=urge_available_at(order=order),
        repair_centre_phone=profile.contact_phone,
        repair_centre_tel=tel_href(profile.contact_phone),
        star_descriptions=dict(settings.star_descriptions or {}),
        rating_tags=list(settings.rating_tags or []),
    )


def submitted_order_view(
    *, actor: Actor, submitted: SubmittedOrder, now: datetime | None = None
) -> OrderView:
    """``order_view`` of an order ``actor`` has just filed, built from what the submit wrote instead
    of reading it back: one event (``submit``), the report photos, no work order, suspension or
    rating yet. Settings and profile come from the per-tenant cache, so answering the submit costs
    no database round trip (``portals.tests.orders.test_submit_round_trips`` checks the answer is
    the order's page as a later read shows it)."""
    now = now or timezone.now()
    order, event = submitted.order, submitted.event
    settings = provider_settings()  # from the per-tenant cache
    profile = provider_profile_cached()
    visible = actor.is_staff or event.visibility == EventVisibility.PUBLIC
    if visible and not actor.is_staff:
        event.note = event.customer_note  # as ``order_timeline`` hands it to a customer
    _remember_photos(order, submitted.photos)
    photos = [p for p in submitted.photos if p.event_id == event.pk]
    entries = timeline_entries([event], photos={event.pk: photos}) if visible else []
    return OrderView(
        order=order,
        actor=actor,
        fields=order_fields(order),
        timeline=entries,
        actions=order_actions(actor=actor, order=order, now=now),
        report_photos=[p for p in submitted.photos if p.kind == PhotoKind.REPORT],
        work_orders=[],
        suspensions=[],
        rating=None,
        waiting=sla.format_duration(sla.waiting_duration(order, now)),
        repair=sla.format_duration(sla.repair_duration(order, now)),
        suspended="",
        urge_at=urge_available_at(order=order),
        repair_centre_phone=profile.contact_phone,
        repair_centre_tel=tel_href(profile.contact_phone),
        star_descriptions=dict(settings.star_descriptions or {}),
        rating_tags=list(settings.rating_tags or []),
    )


def _remember_photos(order: RepairOrder, photos: list[OrderPhoto]) -> None:
    """Make ``order.photos.all()`` answer ``photos`` (the ones just attached, all of them) as if
    they had been prefetched, so what reads it (the API's form values) does not query again."""
    known = OrderPhoto.objects.filter(order=order)  # never evaluated: its result is given
    known._result_cache = list(photos)
    known._prefetch_done = True  # type: ignore[attr-defined]
    cache = getattr(order, "_prefetched_objects_cache", {})
    order._prefetched_objects_cache = {**cache, "photos": known}  # type: ignore[attr-defined]


def order_for(actor: Actor, pk: int) -> RepairOrder:
    """The order ``pk`` if ``actor`` may see it; ``RepairOrder.DoesNotExist`` otherwise (404).
    Nine joined lookups: the join order is fixed for the planner as in ``order_page``."""
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL join_collapse_limit = 1")
        return order_get(actor=actor, order_id=pk)


def photo_for(actor: Actor, pk: int) -> OrderPhoto:
    """A photo ``actor`` may see: on an order they may see (customers: not on a staff-only note),
    or one they uploaded themselves and have not attached yet. ``OrderPhoto.DoesNotExist`` else."""
    photo = OrderPhoto.objects.select_related("event").get(pk=pk)
    if photo.order_id is None:
        own = (actor.customer is not None and photo.uploaded_by_customer_id == actor.customer.pk) or (
            actor.staff is not None and photo.uploaded_by_staff_id == actor.staff.pk
        )
        if not own:
            raise OrderPhoto.DoesNotExist
        return photo
    try:
        order_get(actor=actor, order_id=photo.order_id)
    except RepairOrder.DoesNotExist:
        raise OrderPhoto.DoesNotExist from None
    if not actor.is_staff and photo.event is not None and photo.event.visibility == EventVisibility.INTERNAL:
        raise OrderPhoto.DoesNotExist
    return photo
