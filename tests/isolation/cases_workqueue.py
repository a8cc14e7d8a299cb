"""Isolation cases of the console as a work queue (issue 14): the workbench's live counts and the
suspension approval queue."""

from __future__ import annotations

from tests.isolation.case import Case, Private, _marker_only
from tests.isolation.cases import _order

CASES: dict[str, Case] = {
    "console:workbench-counts": Private(),
    "console:approvals": Private(build=_marker_only(_order("in_progress", pending=True))),
}
