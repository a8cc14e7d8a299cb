"""Engineer order API: my jobs, job detail, photos and the engineer's steps."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from portals.api import order_serializers as s
from portals.api.order_data import ItemLabels, order_item
from portals.api.order_views.base import (
    IsEngineer,
    OrderAPIView,
    PhotoUploadView,
    _step,
)
from repair_forms import services
from repair_forms.models import PhotoKind
from repair_forms.selectors import (
    ENGINEER_GROUPS,
    engineer_jobs,
)

# --- Engineer --------------------------------------------------------------------------------------


class EngineerJobsView(OrderAPIView):
    permission_classes = [IsEngineer]
    photo_route = "console:photo"

    @extend_schema(
        tags=["engineer"],
        summary="My jobs",
        operation_id="engineer_jobs_list",
        parameters=[OpenApiParameter("group", str, enum=list(ENGINEER_GROUPS))],
        responses={200: s.OrderPageSerializer, 400: s.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        jobs = engineer_jobs(actor=self.actor(), group=request.query_params.get("group", "active"))
        labels = ItemLabels()
        return Response({"results": [order_item(o, labels) for o in jobs], "next_cursor": None})


class EngineerJobView(OrderAPIView):
    permission_classes = [IsEngineer]
    photo_route = "console:photo"

    @extend_schema(
        tags=["engineer"],
        operation_id="engineer_job_retrieve",
        responses={200: s.OrderDetailSerializer, 404: s.ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.detail(self.order(pk)))


class EngineerPhotoUploadView(PhotoUploadView):
    permission_classes = [IsEngineer]
    photo_route = "console:photo"
    kind = PhotoKind.JOB_SHEET


ENGINEER_STEPS = {
    "start": _step(
        "engineer_job_start",
        audience=IsEngineer,
        tag="engineer",
        summary="Start the repair",
        body=None,
        run=lambda a, o, d: services.order_start(actor=a, order=o),
        photo_route="console:photo",
    ),
    "suspend": _step(
        "engineer_job_request_suspension",
        audience=IsEngineer,
        tag="engineer",
        summary="Request a suspension (a supervisor approves), with a reason and photos",
        body=s.SuspendSerializer,
        run=lambda a, o, d: services.order_request_suspension(
            actor=a, order=o, reason=d["reason"], photos=d.get("photos", [])
        ),
        photo_route="console:photo",
    ),
    "resume": _step(
        "engineer_job_resume",
        audience=IsEngineer,
        tag="engineer",
        summary="Resume a suspended repair",
        body=s.NoteSerializer,
        run=lambda a, o, d: services.order_resume(actor=a, order=o, note=d.get("note", "")),
        photo_route="console:photo",
    ),
    "job-sheet": _step(
        "engineer_job_submit_job_sheet",
        audience=IsEngineer,
        tag="engineer",
        summary="Submit the job sheet (work done, result, parts, photos)",
        body=s.JobSheetSerializer,
        run=lambda a, o, d: services.order_submit_job_sheet(
            actor=a,
            order=o,
            work_done=d["work_done"],
            result=d["result"],
            parts=[dict(p) for p in d.get("parts", [])],
            photos=d.get("photos", []),
        ),
        photo_route="console:photo",
    ),
    "notes": _step(
        "engineer_job_add_note",
        audience=IsEngineer,
        tag="engineer",
        summary="Add an internal (staff-only) note",
        body=s.InternalNoteSerializer,
        run=lambda a, o, d: services.order_add_note(
            actor=a, order=o, note=d["note"], photos=d.get("photos", [])
        ),
        photo_route="console:photo",
    ),
}
