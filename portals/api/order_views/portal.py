"""Portal order API: the form, asset lookup, photos, my orders and the reporter's steps."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import provider_profile, provider_settings
from billing.entitlements import reporting_open
from portals.api import order_serializers as s
from portals.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from portals.api.order_views.base import (
    ERRORS,
    LIST_PARAMS,
    IsCustomer,
    OrderAPIView,
    PhotoUploadView,
    _error,
    _input,
    _page,
    _step,
)
from portals.asset_lookup import lookup_allowed, lookup_values
from portals.order_ui import lookup_asset, submitted_order_view
from repair_forms import services
from repair_forms.form_templates import default_template_version, template_json
from repair_forms.selectors import (
    ORDER_TABS,
    OrderFilters,
    asset_by_token,
    catalog_tree,
)

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
        responses={200: s.AssetLookupSerializer, 404: s.ErrorSerializer, 429: s.ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        """Exact machine number or serial only, counted per customer and per address; the answer
        confirms the machine without its label token, and without its site unless the customer
        belongs to its company (``portals.asset_lookup``). Submit with the typed number."""
        customer = self.actor().customer
        if not lookup_allowed(request, customer=customer):
            return _error(
                _("Too many machine lookups. Wait a while and try again."),
                code="rate_limited",
                status_code=429,
            )
        asset = lookup_asset(request.query_params.get("q", ""))
        if asset is None:
            free = provider_settings().free_form_reporting_enabled
            return _error(
                _("No machine has this number or serial number. Check the number on the label."),
                code="not_found",
                status_code=404,
                free_form_reporting=free,
            )
        values = lookup_values(asset, customer=customer)
        data = {
            "machine_no": asset.machine_no,
            "serials": asset.serials,
            "brand": {"id": asset.brand.pk, "name": asset.brand.name} if asset.brand else None,
            "category": {"id": asset.category.pk, "name": asset.category.name} if asset.category else None,
            "model": {"id": asset.model.pk, "name": asset.model.name} if asset.model else None,
            "values": values,
        }
        return Response(s.AssetLookupSerializer(data).data)


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
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
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
        submitted = services.order_submit_recorded(actor=self.actor(), data=data["values"], asset=asset)
        # The answer is built from what was just written, not read back after the commit.
        view = submitted_order_view(actor=self.actor(), submitted=submitted)
        return Response(self.detail_of(view), status=status.HTTP_201_CREATED)


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
