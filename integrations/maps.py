"""Tencent Maps links for engineers (腾讯地图建议路线).

``route_link`` builds a driving route plan of the web/Wap URI API (``uri/v1/routeplan``) from the
engineer to the order's site. Tencent documents that page's parameters as: ``type`` (drive), the
start as ``from`` (name) and/or ``fromcoord`` — on a phone, with neither, the route starts where
the phone is —, the destination's name ``to`` (required) and its coordinates ``tocoord`` (optional),
and ``referer`` (the key). So:

* with the site's coordinates: ``routeplan?type=drive&fromcoord=<engineer or CurrentLocation>
  &to=<address>&tocoord=<lat,lng>&referer=<key>``;
* without them: ``routeplan?type=drive&to=<address>&referer=<key>`` — still a route from the
  engineer's phone, to the address as Tencent resolves it (its documented example 2,
  ``routeplan?type=drive&from=中关村&to=望京``, plans by names alone).

No marker fallback: ``uri/v1/marker`` requires ``coord`` for every marker and ``uri/v1/geocoder`` takes
only ``coord`` (it is a reverse geocoder, coordinates → address), so neither can show a place known
only by its address. No address at all → no link.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

_COORD = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _base() -> str:
    return (
        str(getattr(settings, "TENCENT_MAPS_URI_BASE", "https://apis.map.qq.com/uri/v1/")).rstrip("/") + "/"
    )


def _referer() -> str:
    return str(getattr(settings, "TENCENT_MAPS_KEY", "") or "baoxiu")


def parse_coordinates(value: Any) -> tuple[float, float] | None:
    """``"39.9,116.4"``, ``[39.9, 116.4]`` or ``{"lat": .., "lng": ..}`` → (lat, lng), validated."""
    lat: Any
    lng: Any
    if isinstance(value, dict):
        lat, lng = value.get("lat"), value.get("lng")
    elif isinstance(value, list | tuple) and len(value) == 2:
        lat, lng = value
    elif isinstance(value, str):
        match = _COORD.match(value)
        if not match:
            return None
        lat, lng = match.groups()
    else:
        return None
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180):
        return None
    return lat_f, lng_f


def route_link(
    *,
    address: str,
    coordinates: tuple[float, float] | None = None,
    origin: tuple[float, float] | None = None,
) -> str:
    """The engineer's 建议路线: a driving route plan to the site, starting from ``origin`` (the
    engineer's last known position) when known; otherwise the map app starts from where the phone
    is (Tencent's ``CurrentLocation``)."""
    address = (address or "").strip()
    if coordinates is None and not address:
        return ""
    query = {"type": "drive"}
    if origin is not None:
        query.update({"from": str(_("Engineer")), "fromcoord": f"{origin[0]},{origin[1]}"})
    elif coordinates is not None:
        query["fromcoord"] = "CurrentLocation"
    # Without ``from``/``fromcoord`` the phone's own position is the start (Tencent's URI API).
    if coordinates is not None:
        lat, lng = coordinates
        query.update({"to": address or f"{lat},{lng}", "tocoord": f"{lat},{lng}"})
    else:
        query["to"] = address
    query["referer"] = _referer()
    return _base() + "routeplan?" + urlencode(query)


def order_coordinates(order: Any) -> tuple[float, float] | None:
    """Coordinates recorded with an order (a location field of its form), if any."""
    extra = getattr(order, "extra", None) or {}
    for key in ("location_coordinates", "coordinates", "location_coord", "tocoord"):
        if key in extra:
            found = parse_coordinates(extra[key])
            if found:
                return found
    if "lat" in extra and "lng" in extra:
        return parse_coordinates({"lat": extra["lat"], "lng": extra["lng"]})
    return None
