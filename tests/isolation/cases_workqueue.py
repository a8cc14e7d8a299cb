"""Isolation cases of the console as a work queue (issue 14): the workbench's live counts and the
suspension approval queue, accept-and-dispatch in one step and the list's bulk steps."""

from __future__ import annotations

from typing import Any

from tests.isolation.case import Case, Private, _marker_only
from tests.isolation.cases import ORDER_MARKER, _engineer_viewer, _iso_order, _order


def _out_of_warranty_job(actors: Any) -> tuple[dict[str, Any], str]:
    """An order in repair, out of warranty (保外): the job sheet takes charges and a signature."""
    order = _iso_order(actors, "in_progress")
    order.warranty_status = "out"
    order.save(update_fields=["warranty_status"])
    return {"pk": order.pk}, ORDER_MARKER


def _signature(actors: Any) -> dict[str, Any]:
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(2, 18), (58, 2)], fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"signature": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()}


CASES: dict[str, Case] = {
    "console:workbench-counts": Private(),
    "console:approvals": Private(build=_marker_only(_order("in_progress", pending=True))),
    "console:order-accept-dispatch": Private(build=_order()),
    "console:orders-bulk": Private(
        methods=("post",), build=_marker_only(_order()), data={"step": "accept", "orders": ["1"]}
    ),
    "console:job-charges": Private(
        methods=("post",),
        build=_out_of_warranty_job,
        data={"labour_charge": "10", "parts_charge": "0"},
        viewer=_engineer_viewer,
    ),
    "console:job-signature": Private(
        methods=("post",), build=_out_of_warranty_job, data=_signature, viewer=_engineer_viewer
    ),
    "console:job-sheet": Private(build=_order("in_progress"), viewer=_engineer_viewer),
    "console:order-job-sheet": Private(build=_order("in_progress")),
}
