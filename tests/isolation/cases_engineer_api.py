"""Isolation cases of the engineer's order API (``/api/v1/engineer/…``): the engineer the job is
assigned to gets it; tenant B's user never does."""

from __future__ import annotations

from tests.isolation.case import Case, Private, _marker_only
from tests.isolation.cases import _engineer_viewer, _order, _photo_upload

CASES: dict[str, Case] = {
    "api-engineer-jobs": Private(build=_marker_only(_order("dispatched")), viewer=_engineer_viewer),
    "api-engineer-job": Private(build=_order("dispatched"), viewer=_engineer_viewer),
    "api-engineer-photos": Private(methods=("post",), data=_photo_upload, viewer=_engineer_viewer),
    "api-engineer-job-start": Private(methods=("post",), build=_order("dispatched"), viewer=_engineer_viewer),
    "api-engineer-job-suspend": Private(
        methods=("post",), build=_order("in_progress"), data={"reason": "缺配件"}, viewer=_engineer_viewer
    ),
    "api-engineer-job-resume": Private(methods=("post",), build=_order("suspended"), viewer=_engineer_viewer),
    "api-engineer-job-job-sheet": Private(
        methods=("post",),
        build=_order("in_progress"),
        data={"work_done": "更换硒鼓", "result": "已修复"},
        viewer=_engineer_viewer,
    ),
    "api-engineer-job-notes": Private(
        methods=("post",), build=_order("dispatched"), data={"note": "已联系客户"}, viewer=_engineer_viewer
    ),
}
