"""Isolation cases of the console as a work queue (issue 14): the workbench's live counts and the
suspension approval queue, accept-and-dispatch in one step and the list's bulk steps."""

from __future__ import annotations

from tests.isolation.case import Case, Private, _marker_only
from tests.isolation.cases import _order

CASES: dict[str, Case] = {
    "console:workbench-counts": Private(),
    "console:approvals": Private(build=_marker_only(_order("in_progress", pending=True))),
    "console:order-accept-dispatch": Private(build=_order()),
    "console:orders-bulk": Private(
        methods=("post",), build=_marker_only(_order()), data={"step": "accept", "orders": ["1"]}
    ),
}
