"""Server-rendered SVG bar chart for the operator dashboard (no JavaScript, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from billing.pricing import format_yuan
from billing.selectors import MonthRevenue

WIDTH = 720
HEIGHT = 240
MARGIN_TOP = 20
MARGIN_BOTTOM = 36
MARGIN_LEFT = 10


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: str
    label_x: int


def revenue_bars(revenue: list[MonthRevenue]) -> dict[str, object]:
    """Bars scaled to the tallest month; every month gets a slot (empty months are 0 high)."""
    if not revenue:
        return {"width": WIDTH, "height": HEIGHT, "bars": [], "baseline": HEIGHT - MARGIN_BOTTOM}
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = (WIDTH - MARGIN_LEFT * 2) // len(revenue)
    top = max(max(m.amount_fen for m in revenue), 0) or 1
    bars = []
    for i, month in enumerate(revenue):
        height = round(plot_height * max(month.amount_fen, 0) / top)  # a month of net refunds: no bar
        x = MARGIN_LEFT + i * slot + slot // 8
        width = slot - slot // 4
        bars.append(
            Bar(
                x=x,
                y=MARGIN_TOP + plot_height - height,
                width=width,
                height=height,
                label=f"{month.month:%Y-%m}",
                value=format_yuan(month.amount_fen),
                label_x=x + width // 2,
            )
        )
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "baseline": MARGIN_TOP + plot_height}
