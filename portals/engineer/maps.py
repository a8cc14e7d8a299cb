"""The Tencent Maps route link on a job (腾讯地图建议路线): ``integrations.maps.route_link`` builds it
(route plan to the coordinates when the order has them, else a place search for the address)."""

from __future__ import annotations

from integrations.maps import order_coordinates, route_link
from portals.order_ui import location_text
from repair_forms.models import RepairOrder


def route_link_for(order: RepairOrder) -> str:
    return route_link(address=location_text(order), coordinates=order_coordinates(order))
