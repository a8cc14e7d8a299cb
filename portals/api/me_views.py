"""``GET/PATCH /api/v1/me/``: who is calling — the GZIC home (WeChat nickname, avatar, name, 所属部门
/ company, masked phone, system account) for customers, the role for staff. Works with the web
session and with the mini-program's bearer token; a token not yet bound to a phone or a staff
member answers ``kind: "wechat"`` so the client knows to ask for the phone."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer, StaffMember
from accounts.selectors import customer_for_user, staff_for_user
from integrations.miniprogram.models import ApiSession, MiniProgramUser
from integrations.miniprogram.profile import profile_update
from portals.api.order_serializers import ErrorSerializer


def phone_masked(phone: str) -> str:
    """+8613812345678 → 138****5678 (the system account as the GZIC home shows it)."""
    digits = phone.removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


class CompanySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["customer", "staff", "wechat"])
    id = serializers.IntegerField(allow_null=True, help_text="customer or staff id")
    name = serializers.CharField(allow_blank=True)
    nickname = serializers.CharField(allow_blank=True, help_text="WeChat nickname")
    avatar_url = serializers.CharField(allow_blank=True)
    account = serializers.CharField(allow_blank=True, help_text="system account (masked phone)")
    phone_masked = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True, help_text="staff only: their own full number")
    department = serializers.CharField(allow_blank=True, help_text="所属部门: the customer's company")
    company = CompanySerializer(allow_null=True)
    is_company_manager = serializers.BooleanField()
    role = serializers.CharField(allow_blank=True)
    role_label = serializers.CharField(allow_blank=True)
    is_owner = serializers.BooleanField()
    display_name = serializers.CharField(allow_blank=True)


class MePatchSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    nickname = serializers.CharField(max_length=60, required=False, allow_blank=True)
    avatar_url = serializers.URLField(max_length=500, required=False, allow_blank=True)


def _mini_user(
    request: Request, customer: Customer | None, staff: StaffMember | None
) -> MiniProgramUser | None:
    if isinstance(request.auth, ApiSession):
        return request.auth.user
    if customer is not None:
        return MiniProgramUser.objects.filter(customer=customer).order_by("-last_sign_in_at").first()
    if staff is not None:
        return MiniProgramUser.objects.filter(staff=staff).order_by("-last_sign_in_at").first()
    return None


def _me(request: Request) -> dict[str, Any] | None:
    staff = staff_for_user(user=request.user)
    customer = None if staff else customer_for_user(user=request.user)
    mini = _mini_user(request, customer, staff)
    if staff is None and customer is None and mini is None:
        return None
    data: dict[str, Any] = {
        "kind": "wechat",
        "id": None,
        "name": "",
        "nickname": mini.nickname if mini else "",
        "avatar_url": mini.avatar_url if mini else "",
        "account": "",
        "phone_masked": "",
        "phone": "",
        "department": "",
        "company": None,
        "is_company_manager": False,
        "role": "",
        "role_label": "",
        "is_owner": False,
        "display_name": "",
    }
    if staff is not None:
        data.update(
            kind="staff",
            id=staff.pk,
            name=staff.display_name,
            display_name=staff.display_name,
            phone=staff.phone,
            phone_masked=phone_masked(staff.phone),
            account=phone_masked(staff.phone),
            role=staff.role,
            role_label=staff.get_role_display(),
            is_owner=staff.is_owner,
        )
    elif customer is not None:
        company = customer.company
        data.update(
            kind="customer",
            id=customer.pk,
            name=customer.name,
            phone_masked=phone_masked(customer.phone),
            account=phone_masked(customer.phone),
            department=company.name if company else "",
            company={"id": company.pk, "name": company.name} if company else None,
            is_company_manager=customer.is_company_manager,
        )
    return data


class SignedInOrToken(BasePermission):
    message = "Sign in first."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiSession) or bool(getattr(request.user, "is_authenticated", False))


class MeView(APIView):
    permission_classes = [SignedInOrToken]

    @extend_schema(tags=["me"], responses={200: MeSerializer, 404: ErrorSerializer})
    def get(self, request: Request) -> Response:
        data = _me(request)
        if data is None:
            return Response({"detail": "Not found.", "code": "not_found"}, status=404)
        return Response(MeSerializer(data).data)

    @extend_schema(
        tags=["me"],
        summary="Change my name, WeChat nickname or avatar",
        request=MePatchSerializer,
        responses={200: MeSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def patch(self, request: Request) -> Response:
        body = MePatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        staff = staff_for_user(user=request.user)
        customer = None if staff else customer_for_user(user=request.user)
        mini = _mini_user(request, customer, staff)
        if staff is None and customer is None and mini is None:
            return Response({"detail": "Not found.", "code": "not_found"}, status=404)
        profile_update(customer=customer, staff=staff, mini_user=mini, **values)
        return self.get(request)
