"""Shared pieces of the order API: who may call, the base view, error bodies, input and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StaffMember, StaffRole
from accounts.selectors import customer_for_user, staff_for_user
from portals.api import order_serializers as s
from portals.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from portals.api.order_data import ItemLabels, order_detail, order_item, photo_data
from portals.engineer.maps import route_link_for
from portals.order_ui import OrderView, order_for, order_page, order_view, refusal_status
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import PhotoKind, RepairOrder
from repair_forms.photos import photo_upload
from repair_forms.selectors import (
    OrderFilters,
    tab_counts,
)
from tenants.inputs import parse_id

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
        return self.detail_of(order_view(actor=self.actor(), order=order))

    def detail_of(self, view: OrderView) -> dict[str, Any]:
        order = view.order
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
    raw_limit = request.query_params.get("limit")
    limit = 50 if raw_limit is None else parse_id(raw_limit)
    if limit is None or limit > MAX_LIMIT:  # "null", "²", "0", "-1", "500": what the schema refuses
        raise DjangoValidationError({"limit": [_("Give a whole number from 1 to 200.")]})
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


MAX_LIMIT = 200
LIST_PARAMS = [
    OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
    OpenApiParameter(
        "limit", {"type": "integer", "minimum": 1, "maximum": 200}, description="1–200, default 50"
    ),
]


class PhotoUploadView(OrderAPIView):
    """Upload a photo before the step that uses it; send its id with the step."""

    parser_classes = [MultiPartParser, FormParser]
    kind: ClassVar[str] = PhotoKind.REPORT

    @extend_schema(
        tags=["photos"],
        request={"multipart/form-data": s.PhotoUploadSerializer},
        responses={201: s.PhotoSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DjangoValidationError({"file": [_("Choose a photo to upload.")]})
        photo = photo_upload(actor=self.actor(), file=upload, kind=self.kind)
        return Response(
            s.PhotoSerializer(photo_data(photo, self.photo_route)).data, status=status.HTTP_201_CREATED
        )


class StepView(OrderAPIView):
    """One lifecycle step on an order: validate the body, call the service, answer the order."""

    input_class: ClassVar[type[s.serializers.Serializer[Any]] | None] = None
    run: ClassVar[Callable[..., Any]]

    @idempotent
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
        parameters=[IDEMPOTENCY_PARAMETER],
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
