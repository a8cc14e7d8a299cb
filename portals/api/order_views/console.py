"""Console order API: the office's list, detail, engineer picker and steps."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import StaffMember, StaffRole
from portals.api import order_serializers as s
from portals.api.order_views.base import (
    LIST_PARAMS,
    IsOfficeStaff,
    OrderAPIView,
    _engineer,
    _input,
    _page,
    _step,
)
from repair_forms import services
from repair_forms.models import OrderStatus
from repair_forms.selectors import (
    OrderFilters,
)

# --- Console ---------------------------------------------------------------------------------------


class ConsoleOrdersView(OrderAPIView):
    permission_classes = [IsOfficeStaff]
    photo_route = "console:photo"

    @extend_schema(
        tags=["console"],
        summary="报修单列表 with filters",
        operation_id="console_orders_list",
        parameters=[
            OpenApiParameter("status", str, enum=OrderStatus.values),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("brand", int),
            OpenApiParameter("category", int),
            OpenApiParameter("service_type", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("urged", bool),
            OpenApiParameter("engineer", int),
            OpenApiParameter("company", int),
            OpenApiParameter("q", str, description="order number, serial or machine number"),
            *LIST_PARAMS,
        ],
        responses={200: s.OrderPageSerializer, 400: s.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(_page(self.actor(), _console_filters(request), request))


def _console_filters(request: Request) -> OrderFilters:
    data = _input(s.ConsoleFilterSerializer, request.query_params)
    return OrderFilters(**{key: value for key, value in data.items() if value not in (None, "")})


class ConsoleOrderView(OrderAPIView):
    permission_classes = [IsOfficeStaff]
    photo_route = "console:photo"

    @extend_schema(
        tags=["console"],
        operation_id="console_order_retrieve",
        responses={200: s.OrderDetailSerializer, 404: s.ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.detail(self.order(pk)))


class ConsoleEngineersView(OrderAPIView):
    """Active engineers, for dispatching."""

    permission_classes = [IsOfficeStaff]

    @extend_schema(tags=["console"], responses={200: s.EngineerSerializer(many=True)})
    def get(self, request: Request) -> Response:
        engineers = StaffMember.objects.filter(role=StaffRole.ENGINEER, is_active=True).order_by(
            "display_name", "phone"
        )
        data = [
            {
                "id": e.pk,
                "name": e.display_name or e.phone,
                "phone": e.phone,
                "region": e.region,
                "skills": e.skills,
            }
            for e in engineers
        ]
        return Response(s.EngineerSerializer(data, many=True).data)


CONSOLE_STEPS = {
    "accept": _step(
        "console_order_accept",
        audience=IsOfficeStaff,
        tag="console",
        summary="Accept (受理)",
        body=s.StaffNoteSerializer,
        run=lambda a, o, d: services.order_accept(
            actor=a,
            order=o,
            note=d.get("note", ""),
            note_visible_to_customer=d.get("note_visible_to_customer", False),
        ),
        photo_route="console:photo",
    ),
    "dispatch": _step(
        "console_order_dispatch",
        audience=IsOfficeStaff,
        tag="console",
        summary="Dispatch or reassign to an engineer (派单)",
        body=s.DispatchSerializer,
        run=lambda a, o, d: services.order_dispatch(
            actor=a,
            order=o,
            engineer=_engineer(d),
            note=d.get("note", ""),
            note_visible_to_customer=d.get("note_visible_to_customer", False),
        ),
        photo_route="console:photo",
    ),
    "approve-suspension": _step(
        "console_order_approve_suspension",
        audience=IsOfficeStaff,
        tag="console",
        summary="Approve the pending suspension request",
        body=s.StaffNoteSerializer,
        run=lambda a, o, d: services.order_approve_suspension(
            actor=a,
            order=o,
            note=d.get("note", ""),
            note_visible_to_customer=d.get("note_visible_to_customer", False),
        ),
        photo_route="console:photo",
    ),
    "reject-suspension": _step(
        "console_order_reject_suspension",
        audience=IsOfficeStaff,
        tag="console",
        summary="Reject the pending suspension request, with a reason",
        body=s.ReasonSerializer,
        run=lambda a, o, d: services.order_reject_suspension(actor=a, order=o, reason=d["reason"]),
        photo_route="console:photo",
    ),
    "progress": _step(
        "console_order_set_progress",
        audience=IsOfficeStaff,
        tag="console",
        summary="Set the progress manually, with a reason",
        body=s.ProgressSerializer,
        run=lambda a, o, d: services.order_set_progress(
            actor=a, order=o, status=d["status"], reason=d["reason"]
        ),
        photo_route="console:photo",
    ),
    "notes": _step(
        "console_order_add_note",
        audience=IsOfficeStaff,
        tag="console",
        summary="Add an internal (staff-only) note",
        body=s.InternalNoteSerializer,
        run=lambda a, o, d: services.order_add_note(
            actor=a, order=o, note=d["note"], photos=d.get("photos", [])
        ),
        photo_route="console:photo",
    ),
}
