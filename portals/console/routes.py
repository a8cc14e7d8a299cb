"""Distances and a visiting order for jobs with coordinates (for the engineer's day and the
dispatcher's engineer picker). Straight-line (great-circle) distance: good enough to rank nearby
jobs without calling a map API on every page."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Coordinates = tuple[float, float]
EARTH_RADIUS_KM = 6371.0


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle distance between two (lat, lng) points, in kilometres."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def in_route_order(jobs: Sequence[T], *, coordinates: Callable[[T], Coordinates | None]) -> list[T]:
    """``jobs`` (already in appointment order) re-ordered along a route: start with the first job,
    then always go to the nearest job not yet visited (nearest neighbour). Jobs without coordinates
    keep their appointment order after the routed ones, so nothing is dropped."""
    located = [(job, coordinates(job)) for job in jobs]
    routed = [(job, point) for job, point in located if point is not None]
    unrouted = [job for job, point in located if point is None]
    if len(routed) < 2:
        return [job for job, _point in routed] + unrouted
    order = [routed.pop(0)]
    while routed:
        here = order[-1][1]
        assert here is not None
        nearest = min(range(len(routed)), key=lambda i: distance_km(here, routed[i][1]))
        order.append(routed.pop(nearest))
    return [job for job, _point in order] + unrouted
