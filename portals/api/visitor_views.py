"""Visitor API (/api/v1/visitors/…) for the mini program and gate devices: the visitor's codes and
applications, the approver's 流程中心 and decision, the guard's check and on-site list.

Every route answers 404 when the provider's plan lacks the module. Errors have the order API's
shape (``detail``, ``code``, ``errors``): 400 invalid, 403 a role or approver that may not, 404
missing or not yours.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import StaffMember
from accounts.selectors import customer_for_user, staff_for_user
from portals.api import visitor_serializers as vs
from portals.api.order_views.base import OrderAPIView, _input
from portals.visitor_pages.access import GATE, OFFICE, visitors_enabled
from visitors import selectors, services
from visitors.models import Unit

ERRORS = {400: vs.VisitErrorSerializer, 403: vs.VisitErrorSerializer, 404: vs.VisitErrorSerializer}


class _Visitor(BasePermission):
    message = "Only a signed-in visitor (portal customer) may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        request.customer = customer_for_user(user=request.user)  # type: ignore[attr-defined]
        return request.customer is not None  # type: ignore[attr-defined]


class _Staff(BasePermission):
    roles: tuple[str, ...] = ()
    message = "Your role may not use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        staff = staff_for_user(user=request.user)
        request.staff = staff  # type: ignore[attr-defined]
        return staff is not None and staff.role in self.roles


class _Approver(_Staff):
    roles = OFFICE


class _Guard(_Staff):
    roles = GATE


class VisitorAPIView(OrderAPIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if not visitors_enabled(request):
            raise NotFound
        super().initial(request, *args, **kwargs)

    def staff(self) -> StaffMember:
        return self.request.staff  # type: ignore[attr-defined]


TAB = OpenApiParameter("tab", str, enum=list(selectors.VISITOR_TABS), required=False)


def _tab(request: Request, *, tabs: Collection[str], default: str) -> str:
    """The ``tab`` query parameter; one the schema does not list is refused (400), not ignored."""
    tab = request.query_params.get("tab", default)
    if tab != default and tab not in tabs:
        raise DjangoValidationError({"tab": [_("Unknown tab.")]})
    return tab


class MyInvitationsView(VisitorAPIView):
    """我的邀请码: invitations sent to the signed-in visitor's verified phone."""

    permission_classes = [_Visitor]

    @extend_schema(tags=["visitors"], responses={200: vs.InvitationSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        invitations = selectors.invitations_for_visitor(customer=request.customer)  # type: ignore[attr-defined]
        return Response(vs.InvitationSerializer(invitations, many=True).data)


class MyApplicationsView(VisitorAPIView):
    """我的预约申请 (GET, by tab) and 访客进校申请 (POST)."""

    permission_classes = [_Visitor]

    @extend_schema(
        tags=["visitors"], parameters=[TAB], responses={200: vs.ApplicationItemSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        applications = selectors.applications_for_visitor(
            customer=request.customer,  # type: ignore[attr-defined]
            tab=_tab(request, tabs=selectors.VISITOR_TABS, default=""),
        )
        return Response(vs.ApplicationItemSerializer(applications, many=True).data)

    @extend_schema(
        tags=["visitors"],
        request=vs.ApplyInputSerializer,
        responses={201: vs.ApplicationDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _input(vs.ApplyInputSerializer, request.data)
        unit_id, host_id = data.pop("unit", None), data.pop("host", None)
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
        host = StaffMember.objects.filter(pk=host_id, is_active=True).first() if host_id else None
        application = services.application_submit(
            applicant=request.customer,  # type: ignore[attr-defined]
            data=services.ApplicationData(**data, unit=unit, host=host),
        )
        return Response(vs.ApplicationDetailSerializer(application).data, status=201)


class MyApplicationView(VisitorAPIView):
    """One of my applications, with the chain's progress and, once approved, the pass."""

    permission_classes = [_Visitor]

    @extend_schema(tags=["visitors"], responses={200: vs.ApplicationDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        application = selectors.application_for_visitor(customer=request.customer, pk=pk)  # type: ignore[attr-defined]
        return Response(vs.ApplicationDetailSerializer(application, context={"with_pass": True}).data)


PROCESS_TAB = OpenApiParameter("tab", str, enum=list(selectors.PROCESS_TABS), required=False)


class ProcessCentreView(VisitorAPIView):
    """流程中心: waiting for me, I handled, I started."""

    permission_classes = [_Approver]

    @extend_schema(
        tags=["visitors"], parameters=[PROCESS_TAB], responses={200: vs.ApplicationItemSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        tab = _tab(request, tabs=selectors.PROCESS_TABS, default=selectors.WAITING)
        applications = selectors.process_centre(actor=self.staff(), tab=tab)[:200]
        return Response(vs.ApplicationItemSerializer(applications, many=True).data)


class ProcessApplicationView(VisitorAPIView):
    """An application the approver may see; the full ID number only for its approvers and admins."""

    permission_classes = [_Approver]

    @extend_schema(tags=["visitors"], responses={200: vs.ApplicationDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        application = selectors.application_for_staff(actor=self.staff(), pk=pk)
        id_number = selectors.id_number_for(actor=self.staff(), application=application)
        return Response(
            vs.ApplicationDetailSerializer(
                application, context={"id_number": id_number, "with_pass": False}
            ).data
        )


class DecisionView(VisitorAPIView):
    """Approve or reject the active step (only its approvers; 403 for anyone else)."""

    permission_classes = [_Approver]

    @extend_schema(
        tags=["visitors"],
        request=vs.DecisionInputSerializer,
        responses={200: vs.ApplicationDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = selectors.application_for_staff(actor=self.staff(), pk=pk)
        data = _input(vs.DecisionInputSerializer, request.data)
        services.application_decide(
            actor=self.staff(),
            application=application,
            approve=data["decision"] == "approve",
            reason=data.get("reason", ""),
        )
        application.refresh_from_db()
        return Response(vs.ApplicationDetailSerializer(application).data)


class GateCheckView(VisitorAPIView):
    """Check a pass at the gate; a refusal is a normal answer (``allowed`` false, reason in words)."""

    permission_classes = [_Guard]

    @extend_schema(
        tags=["visitors"], request=vs.GateInputSerializer, responses={200: vs.GateResultSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _input(vs.GateInputSerializer, request.data)
        result = services.gate_check(guard=self.staff(), value=data["code"], direction=data["direction"])
        application = result.visit_pass.application if result.visit_pass else None
        return Response(
            {
                "allowed": result.allowed,
                "direction": result.direction,
                "refusal": result.refusal,
                "message": result.message,
                "visitor": application.masked_name if application else "",
                "host": str(application.host) if application else "",
                "plate_number": application.plate_number if application else "",
            }
        )


class OnSiteView(VisitorAPIView):
    """Who is on site now."""

    permission_classes = [_Guard]

    @extend_schema(tags=["visitors"], responses={200: vs.OnSiteSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(vs.OnSiteSerializer(selectors.on_site(actor=self.staff()), many=True).data)
