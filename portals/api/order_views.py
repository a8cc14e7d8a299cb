"""The order API for mini-program and mobile clients: the portal (report, my orders, steps), the
console (list, detail, office steps) and the engineer's jobs. Same services, selectors and
permissions as the screens.

Answers: a step the lifecycle refuses → 409 with its zh/en explanation (403 when the caller's role
may never take it); bad input → 400 with messages per field; an order that is missing, another
tenant's or not the caller's → 404; the wrong kind of user for the endpoint → 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StaffMember, StaffRole
from accounts.selectors import customer_for_user, provider_profile, provider_settings, staff_for_user
from billing.entitlements import reporting_open
from portals.api import order_serializers as s
from portals.api.order_data import ItemLabels, order_detail, order_item, photo_data
from portals.engineer.maps import route_link_for
from portals.order_ui import lookup_asset, order_for, order_page, order_view, refusal_status
from repair_forms import services
from repair_forms.form_templates import default_template_version, template_json
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import OrderStatus, PhotoKind, RepairOrder
from repair_forms.photos import photo_upload
from repair_forms.selectors import (
    ENGINEER_GROUPS,
    ORDER_TABS,
    OrderFilters,
    asset_by_token,
    asset_form_values,
    catalog_tree,
    engineer_jobs,
    tab_counts,
)

OFFICE = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR})
ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer, 409: s.ErrorSerializer}


# --- Who may call ----------------------------------------------------------------------------------


class IsCustomer(BasePermission):
    message = "Only a signed-in customer of this provider may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        customer = customer_for_user(user=request.user)
        request.actor = Actor.for_customer(customer) if customer else None  # type: ignore[attr-defined]
        return customer is not None


class _StaffRoles(BasePermission):
    roles: frozenset[str] = frozenset()
    message = "Your role may not use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        staff = staff_for_user(user=request.user)
        if staff is None or staff.role not in self.roles:
            return False
        request.actor = Actor.for_staff(staff)  # type: ignore[attr-defined]
        return True


class IsOfficeStaff(_StaffRoles):
    roles = OFFICE


class IsEngineer(_StaffRoles):
    roles = frozenset({StaffRole.ENGINEER})


# --- Base ------------------------------------------------------------------------------------------


def _error(detail: str, *, code: str = "", status_code: int = 400, **extra: Any) -> Response:
    body: dict[str, Any] = {"detail": detail}
    if code:
        body["code"] = code
    body.update(extra)
    return Response(body, status=status_code)


class OrderAPIView(APIView):
    """Turns the domain's exceptions into the answers documented above."""

    photo_route: ClassVar[str] = "portal:photo"

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TransitionNotAllowed):
            return _error(
                " ".join(exc.messages),
                code=str(exc.code or "transition_not_allowed"),
                status_code=refusal_status(exc),
                transition=exc.transition,
            )
        if isinstance(exc, DjangoValidationError):
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            flat = [str(m) for messages in errors.values() for m in messages]
            return _error(" ".join(flat), code="invalid", errors=errors)
        if isinstance(exc, DjangoPermissionDenied):
            return _error(
                " ".join(str(a) for a in exc.args) or _("You may not do this."),
                code="forbidden",
                status_code=403,
            )
        if isinstance(exc, ObjectDoesNotExist):
            exc = NotFound()
        return super().handle_exception(exc)

    def actor(self) -> Actor:
        return self.request.actor  # type: ignore[attr-defined]

    def order(self, pk: int) -> RepairOrder:
        return order_for(self.actor(), pk)

    def detail(self, order: RepairOrder) -> dict[str, Any]:
        view = order_view(actor=self.actor(), order=order)
        route = route_link_for(order) if self.actor().role == StaffRole.ENGINEER else ""
        return s.OrderDetailSerializer(
            order_detail(view, photo_route=self.photo_route, route_link=route)
        ).data


def _input(serializer_class: type[s.serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise DjangoValidationError({k: [str(m) for m in v] for k, v in serializer.errors.items()})
    return dict(serializer.validated_data)


def _page(actor: Actor, filters: OrderFilters, request: Request, *, counts: bool = False) -> dict[str, Any]:
    try:
        limit = int(request.query_params.get("limit", 50))
    except ValueError:
        limit = 50
    page = order_page(
        actor=actor, filters=filters, cursor=request.query_params.get("cursor") or None, limit=limit
    )
    labels = ItemLabels()
    data: dict[str, Any] = {
        "results": [order_item(o, labels) for o in page.items],
        "next_cursor": page.next_cursor,
    }
    if counts:
        data["counts"] = tab_counts(actor=actor)
    return data  # already in its JSON form (documented by OrderPageSerializer)


LIST_PARAMS = [
    OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
    OpenApiParameter("limit", int, description="1–200, default 50"),
]


# --- Portal ----------------------------------------------------------------------------------------


class PortalFormView(OrderAPIView):
    """The default report form as JSON, with the brand → category → model catalog, for a mini
    program to render (public: the form is shown before sign-in)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["portal"], responses={200: s.PortalFormSerializer})
    def get(self, request: Request) -> Response:
        profile = provider_profile()
        data = {
            "provider": {"name": request.tenant.name, "phone": profile.contact_phone},  # type: ignore[attr-defined]
            "reporting_open": reporting_open(request.tenant),  # type: ignore[attr-defined]
            "free_form_reporting": provider_settings().free_form_reporting_enabled,
            "template": template_json(default_template_version()),
            "catalog": catalog_tree(),
        }
        return Response(s.PortalFormSerializer(data).data)


class AssetLookupView(OrderAPIView):
    """快捷报修 lookup by machine number or serial number (here, then the bound asset system)."""

    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["portal"],
        parameters=[OpenApiParameter("q", str, required=True, description="machine number or serial number")],
        responses={200: s.AssetLookupSerializer, 404: s.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        asset = lookup_asset(request.query_params.get("q", ""))
        if asset is None:
            free = provider_settings().free_form_reporting_enabled
            return _error(
                _("No machine has this number or serial number. Check the number on the label."),
                code="not_found",
                status_code=404,
                free_form_reporting=free,
            )
        values = asset_form_values(asset)
        data = {
            "token": asset.token,
            "machine_no": asset.machine_no,
            "serials": asset.serials,
            "brand": {"id": asset.brand.pk, "name": asset.brand.name} if asset.brand else None,
            "category": {"id": asset.category.pk, "name": asset.category.name} if asset.category else None,
            "model": {"id": asset.model.pk, "name": asset.model.name} if asset.model else None,
            "values": values,
        }
        return Response(s.AssetLookupSerializer(data).data)


class PhotoUploadView(OrderAPIView):
    """Upload a photo before the step that uses it; send its id with the step."""

    parser_classes = [MultiPartParser, FormParser]
    kind: ClassVar[str] = PhotoKind.REPORT

    @extend_schema(
        tags=["photos"],
        request={"multipart/form-data": s.PhotoUploadSerializer},
        responses={201: s.PhotoSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DjangoValidationError({"file": [_("Choose a photo to upload.")]})
        photo = photo_upload(actor=self.actor(), file=upload, kind=self.kind)
        return Response(
            s.PhotoSerializer(photo_data(photo, self.photo_route)).data, status=status.HTTP_201_CREATED
        )


class PortalPhotoUploadView(PhotoUploadView):
    permission_classes = [IsCustomer]


class PortalOrdersView(OrderAPIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["portal"],
        summary="My orders",
        operation_id="portal_orders_list",
        parameters=[
            OpenApiParameter("tab", str, enum=list(ORDER_TABS), description="GZIC tab"),
            *LIST_PARAMS,
        ],
        responses={200: s.OrderPageSerializer, 400: s.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        tab = request.query_params.get("tab") or None
        return Response(_page(self.actor(), OrderFilters(tab=tab), request, counts=True))

    @extend_schema(
        tags=["portal"],
        summary="Report a fault",
        operation_id="portal_order_submit",
        request=s.SubmitSerializer,
        responses={201: s.OrderDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        if not reporting_open(request.tenant):  # type: ignore[attr-defined]
            return _error(
                _("Online reporting is paused. Please call the repair centre: %(phone)s")
                % {"phone": provider_profile().contact_phone or "-"},
                code="reporting_closed",
                status_code=403,
                phone=provider_profile().contact_phone,
            )
        data = _input(s.SubmitSerializer, request.data)
        asset = None
        if data.get("asset"):
            asset = asset_by_token(data["asset"])
            if asset is None:
                raise DjangoValidationError({"asset": [_("This machine label is no longer valid.")]})
        order = services.order_submit(actor=self.actor(), data=data["values"], asset=asset)
        return Response(self.detail(self.order(order.pk)), status=status.HTTP_201_CREATED)


class PortalOrderView(OrderAPIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=["portal"],
        operation_id="portal_order_retrieve",
        responses={200: s.OrderDetailSerializer, 404: s.ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.detail(self.order(pk)))

    @extend_schema(
        tags=["portal"],
        summary="Edit before acceptance",
        operation_id="portal_order_edit",
        request=s.EditSerializer,
        responses={200: s.OrderDetailSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        order = self.order(pk)
        data = _input(s.EditSerializer, request.data)
        services.order_edit(actor=self.actor(), order=order, data=data["values"])
        return Response(self.detail(self.order(pk)))


class StepView(OrderAPIView):
    """One lifecycle step on an order: validate the body, call the service, answer the order."""

    input_class: ClassVar[type[s.serializers.Serializer[Any]] | None] = None
    run: ClassVar[Callable[..., Any]]

    def post(self, request: Request, pk: int) -> Response:
        order = self.order(pk)
        data = _input(self.input_class, request.data) if self.input_class else {}
        type(self).run(self.actor(), order, data)
        return Response(self.detail(self.order(pk)))


def _step(
    name: str,
    *,
    audience: type[BasePermission],
    tag: str,
    summary: str,
    body: type[s.serializers.Serializer[Any]] | None,
    run: Callable[[Actor, RepairOrder, dict[str, Any]], Any],
    photo_route: str,
) -> type[StepView]:
    """A StepView subclass with its OpenAPI description."""

    def post(self: StepView, request: Request, pk: int) -> Response:
        return StepView.post(self, request, pk)

    documented = extend_schema(
        tags=[tag],
        summary=summary,
        request=body,
        responses={200: s.OrderDetailSerializer, **ERRORS},
        operation_id=name,
    )(post)
    return type(
        name,
        (StepView,),
        {
            "permission_classes": [audience],
            "input_class": body,
            "run": staticmethod(run),
            "photo_route": photo_route,
            "post": documented,
            "__doc__": summary,
        },
    )


def _engineer(data: dict[str, Any]) -> StaffMember:
    engineer = StaffMember.objects.filter(
        pk=data["engineer"], role=StaffRole.ENGINEER, is_active=True
    ).first()
    if engineer is None:
        raise DjangoValidationError({"engineer": [_("Choose an active engineer.")]})
    return engineer


PORTAL_STEPS = {
    "cancel": _step(
        "portal_order_cancel",
        audience=IsCustomer,
        tag="portal",
        summary="Cancel before acceptance, with a reason",
        body=s.ReasonSerializer,
        run=lambda a, o, d: services.order_cancel(actor=a, order=o, reason=d["reason"]),
        photo_route="portal:photo",
    ),
    "urge": _step(
        "portal_order_urge",
        audience=IsCustomer,
        tag="portal",
        summary="Urge (after the provider's urge-after hours, at most once an hour)",
        body=None,
        run=lambda a, o, d: services.order_urge(actor=a, order=o),
        photo_route="portal:photo",
    ),
    "confirm": _step(
        "portal_order_confirm",
        audience=IsCustomer,
        tag="portal",
        summary="Confirm completion (reporter or company manager)",
        body=s.NoteSerializer,
        run=lambda a, o, d: services.order_confirm_completion(actor=a, order=o, note=d.get("note", "")),
        photo_route="portal:photo",
    ),
    "reject": _step(
        "portal_order_reject",
        audience=IsCustomer,
        tag="portal",
        summary="Reject completion: not fixed, with a reason",
        body=s.ReasonSerializer,
        run=lambda a, o, d: services.order_reject_completion(actor=a, order=o, reason=d["reason"]),
        photo_route="portal:photo",
    ),
    "rate": _step(
        "portal_order_rate",
        audience=IsCustomer,
        tag="portal",
        summary="Rate a completed order (once, when the provider takes ratings)",
        body=s.RateSerializer,
        run=lambda a, o, d: services.order_rate(
            actor=a, order=o, stars=d["stars"], tags=d.get("tags", []), comment=d.get("comment", "")
        ),
        photo_route="portal:photo",
    ),
}


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
        body=s.NoteSerializer,
        run=lambda a, o, d: services.order_accept(actor=a, order=o, note=d.get("note", "")),
        photo_route="console:photo",
    ),
    "dispatch": _step(
        "console_order_dispatch",
        audience=IsOfficeStaff,
        tag="console",
        summary="Dispatch or reassign to an engineer (派单)",
        body=s.DispatchSerializer,
        run=lambda a, o, d: services.order_dispatch(
            actor=a, order=o, engineer=_engineer(d), note=d.get("note", "")
        ),
        photo_route="console:photo",
    ),
    "approve-suspension": _step(
        "console_order_approve_suspension",
        audience=IsOfficeStaff,
        tag="console",
        summary="Approve the pending suspension request",
        body=s.NoteSerializer,
        run=lambda a, o, d: services.order_approve_suspension(actor=a, order=o, note=d.get("note", "")),
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
