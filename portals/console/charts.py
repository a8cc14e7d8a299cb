"""Server-rendered SVG charts (no chart library, no CDN): geometry computed here, drawn by the
template as inline SVG, so the dashboard works offline, prints, and needs no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 48, 16, 36


def _nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover


@dataclass
class DailyChart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict[str, Any]] = field(default_factory=list)
    line: str = ""  # polyline points of the average waiting time
    dots: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    count_ticks: list[dict[str, Any]] = field(default_factory=list)
    wait_ticks: list[dict[str, Any]] = field(default_factory=list)
    plot: dict[str, float] = field(default_factory=dict)
    total: int = 0
    average_wait_hours: float | None = None


def daily_chart(series: list[dict[str, Any]]) -> DailyChart:
    """Bars: orders filed per day; line: the average waiting time (hours) of that day's orders.
    ``series`` is ``repair_forms.selectors.orders_per_day``."""
    chart = DailyChart()
    days = len(series)
    if not days:
        return chart
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    chart.plot = {
        "x": LEFT,
        "y": TOP,
        "w": plot_w,
        "h": plot_h,
        "bottom": TOP + plot_h,
        "right": LEFT + plot_w,
    }
    counts = [int(row["count"]) for row in series]
    waits = [
        None if row["avg_waiting_seconds"] is None else row["avg_waiting_seconds"] / 3600 for row in series
    ]
    top_count = _nice_max(max(counts))
    known = [w for w in waits if w is not None]
    top_wait = _nice_max(max(known)) if known else 1.0
    slot = plot_w / days
    bar_w = max(2.0, slot * 0.7)
    points = []
    for index, row in enumerate(series):
        x = LEFT + index * slot + (slot - bar_w) / 2
        h = plot_h * counts[index] / top_count
        day = row["day"]
        chart.bars.append(
            {
                "x": round(x, 1),
                "y": round(TOP + plot_h - h, 1),
                "w": round(bar_w, 1),
                "h": round(h, 1),
                "count": counts[index],
                "day": day.isoformat(),
            }
        )
        wait = waits[index]
        if wait is not None:
            cx = LEFT + index * slot + slot / 2
            cy = TOP + plot_h - plot_h * wait / top_wait
            points.append(f"{cx:.1f},{cy:.1f}")
            chart.dots.append(
                {
                    "x": round(cx, 1),
                    "y": round(cy, 1),
                    "hours": round(wait, 1),
                    "day": day.isoformat(),
                }
            )
        if index % max(1, days // 6) == 0 or index == days - 1:
            chart.x_labels.append(
                {"x": round(LEFT + index * slot + slot / 2, 1), "text": day.strftime("%m-%d")}
            )
    chart.line = " ".join(points)
    for fraction in (0, 0.5, 1):
        y = round(TOP + plot_h - plot_h * fraction, 1)
        chart.count_ticks.append({"y": y, "text": f"{top_count * fraction:g}"})
        chart.wait_ticks.append({"y": y, "text": f"{top_wait * fraction:g}h"})
    chart.total = sum(counts)
    weighted = [(w, c) for w, c in zip(waits, counts, strict=True) if w is not None and c]
    if weighted:
        chart.average_wait_hours = round(sum(w * c for w, c in weighted) / sum(c for _w, c in weighted), 1)
    return chart
