"""Orders as JSON for the API, built from the same ``portals.order_ui`` views as the screens (so
the API shows exactly what the pages show, timeline visibility included)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from portals.order_ui import OrderView
from portals.report_form import order_values
from repair_forms import sla
from repair_forms.models import OrderPhoto, OrderStatus, RepairOrder, ServiceType, WarrantyStatus


def _named(obj: Any, attr: str = "name") -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, attr, "") or str(obj)}


def _person(staff: Any) -> dict[str, Any] | None:
    if staff is None:
        return None
    return {"id": staff.pk, "name": staff.display_name or staff.phone}


def photo_data(photo: OrderPhoto, route: str) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "url": reverse(route, args=[photo.pk]),
        "width": photo.width,
        "height": photo.height,
    }


def _when(value: Any) -> str | None:
    """A datetime as the API sends it: ISO 8601 in the provider's time zone (Asia/Shanghai)."""
    return timezone.localtime(value).isoformat() if value else None


class ItemLabels:
    """The choice labels of one response, looked up once (a list has up to 200 rows)."""

    def __init__(self) -> None:
        self.status = {value: str(label) for value, label in OrderStatus.choices}
        self.service = {value: str(label) for value, label in ServiceType.choices}
        self.warranty = {value: str(label) for value, label in WarrantyStatus.choices}


def order_item(order: RepairOrder, labels: ItemLabels | None = None) -> dict[str, Any]:
    """A row of an order list (brand, category, model, company, reporter, engineer preloaded), in
    its final JSON form (``OrderListItemSerializer`` documents it; lists skip that pass)."""
    labels = labels or ItemLabels()
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": labels.status.get(order.status, order.status),
        "is_overdue": order.is_overdue,
        "is_urged": order.is_urged,
        "submitted_at": _when(order.submitted_at),
        "brand": _named(order.brand),
        "category": _named(order.category),
        "model": _named(order.model),
        "machine_no": order.machine_no,
        "serial": order.serial,
        "fault_description": order.fault_description,
        "service_type": order.service_type,
        "service_type_label": labels.service.get(order.service_type, ""),
        "warranty_status": order.warranty_status,
        "warranty_label": labels.warranty.get(order.warranty_status, ""),
        "appointment_at": _when(order.appointment_at),
        "notes": order.notes,
        "engineer": _person(order.engineer),
        "company": _named(order.company),
        "reporter_name": (order.reporter.name or order.reporter.phone) if order.reporter else "",
    }


def order_detail(view: OrderView, *, photo_route: str, route_link: str = "") -> dict[str, Any]:
    order = view.order
    now_repair = sla.repair_duration(order)
    definitions = order.template_version.fields if order.template_version else []
    values = order_values(order, definitions)
    data = order_item(order)
    data.update(
        {
            "location": {
                "plot": order.location_plot,
                "building": order.location_building,
                "room": order.location_room,
                "address": order.location_address,
            },
            "contact_name": order.contact_name,
            "contact_phone": order.contact_phone,
            "appointment_until": order.appointment_until,
            "accepted_at": order.accepted_at,
            "completed_at": order.completed_at,
            "cancelled_at": order.cancelled_at,
            "cancel_reason": order.cancel_reason,
            "fields": [{"label": label, "value": value} for label, value in view.fields],
            "values": values,
            "template_version": order.template_version_id,
            "photos": [photo_data(p, photo_route) for p in view.report_photos],
            "timeline": [
                {
                    "id": e.event.pk,
                    "transition": e.event.transition,
                    "title": e.title,
                    "actor": e.actor,
                    "from_status": e.event.from_status,
                    "to_status": e.event.to_status,
                    "status_label": e.status,
                    "note": e.note,
                    "details": [{"label": label, "value": value} for label, value in e.details],
                    "photos": [photo_data(p, photo_route) for p in e.photos],
                    "internal": e.internal,
                    "created_at": e.at,
                }
                for e in view.timeline
            ],
            "actions": view.actions,
            "durations": {
                "waiting": view.waiting,
                "waiting_seconds": int(sla.waiting_duration(order).total_seconds()),
                "repair": view.repair,
                "repair_seconds": int(now_repair.total_seconds()) if now_repair is not None else None,
                "suspended": view.suspended,
            },
            "work_orders": [
                {
                    "number": w.number,
                    "status": w.status,
                    "engineer": _person(w.engineer),
                    "dispatched_at": w.dispatched_at,
                    "started_at": w.started_at,
                    "finished_at": w.finished_at,
                    "work_done": w.work_done,
                    "result": w.result,
                    "parts": w.parts,
                }
                for w in view.work_orders
            ],
            "suspensions": [
                {
                    "id": s.pk,
                    "reason": s.reason,
                    "requested_by": s.requested_by.display_name or s.requested_by.phone,
                    "requested_at": s.requested_at,
                    "decision": s.decision,
                    "decision_label": s.get_decision_display(),
                    "decided_at": s.decided_at,
                    "decision_note": s.decision_note,
                    "resumed_at": s.resumed_at,
                    "photos": [photo_data(p, photo_route) for p in s.photos.all()],
                }
                for s in view.suspensions
            ],
            "rating": (
                {
                    "stars": view.rating.stars,
                    "tags": view.rating.tags,
                    "comment": view.rating.comment,
                    "created_at": view.rating.created_at,
                }
                if view.rating
                else None
            ),
            "rating_options": (
                {"star_descriptions": view.star_descriptions, "tags": view.rating_tags}
                if "rate" in view.actions
                else None
            ),
            "urge_available_at": view.urge_at,
            "repair_centre_phone": view.repair_centre_phone,
            "route_link": route_link,
        }
    )
    return data
