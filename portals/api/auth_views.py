"""Mini-program sign-in and API sessions: ``wx.login`` code → token pair, refresh (rotation),
sign-out, phone binding (phone-number button or SMS code), staff binding by the console's code, and
the list of signed-in devices (the person's own, and any customer's for staff).

Thin views over ``integrations.miniprogram.signin`` / ``api_tokens``. Refusals carry ``detail``
(words, zh/en) and ``code``; sign-in is rate-limited per client address.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer, StaffRole
from accounts.selectors import staff_for_user
from integrations.miniprogram.api_tokens import (
    IssuedTokens,
    TokenRefused,
    api_session_refresh,
    api_session_revoke,
    api_sessions_live,
)
from integrations.miniprogram.models import ApiSession, MiniProgramUser
from integrations.miniprogram.signin import (
    SMS_PURPOSE,
    SignInRefused,
    miniprogram_company_join,
    miniprogram_phone_bind,
    miniprogram_phone_bind_sms,
    miniprogram_sign_in,
    miniprogram_staff_bind,
)
from integrations.sms.codes import code_send
from portals.api.authentication import BearerTokenAuthentication
from portals.api.order_serializers import ErrorSerializer
from portals.web import client_ip
from tenants.ratelimit import rate_limited

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 409: ErrorSerializer, 429: ErrorSerializer}


def _refused(message: str, code: str, status_code: int) -> Response:
    return Response({"detail": message, "code": code}, status=status_code)


def _too_many() -> Response:
    return _refused(_("Too many attempts. Wait a few minutes and try again."), "rate_limited", 429)


class TokenPairSerializer(serializers.Serializer[Any]):
    token_type = serializers.CharField()
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds the access token lives")
    session_id = serializers.IntegerField()
    phone_bound = serializers.BooleanField()
    staff = serializers.BooleanField()


class DoneSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField()


def _pair(issued: IssuedTokens) -> dict[str, Any]:
    mini_user = issued.session.user
    return {
        "token_type": "Bearer",
        "access_token": issued.access,
        "refresh_token": issued.refresh,
        "expires_in": issued.expires_in,
        "session_id": issued.session.pk,
        "phone_bound": mini_user.customer_id is not None,
        "staff": mini_user.staff_id is not None,
    }


class SignInSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=128, help_text="the code from wx.login()")
    device = serializers.CharField(max_length=120, required=False, allow_blank=True)
    nickname = serializers.CharField(max_length=60, required=False, allow_blank=True)
    avatar_url = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PublicAuthView(APIView):
    """No session authentication (no CSRF cookie in a mini-program) and no permission."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class MiniProgramSignInView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="Sign in with the mini-program's wx.login code",
        request=SignInSerializer,
        responses={200: TokenPairSerializer, **ERRORS, 503: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        if rate_limited(request, "login"):
            return _too_many()
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            issued = miniprogram_sign_in(**body.validated_data)
        except SignInRefused as exc:
            return _refused(exc.message, exc.code, exc.status)
        return Response(_pair(issued))


class RefreshSerializer(serializers.Serializer[Any]):
    refresh_token = serializers.CharField(max_length=400)


class RefreshView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="Swap the refresh token for a new pair (each refresh token works once)",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        if rate_limited(request, "login"):
            return _too_many()
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            issued = api_session_refresh(refresh_token=body.validated_data["refresh_token"])
        except TokenRefused as exc:
            return _refused(_("The refresh token is not valid. Sign in again."), exc.reason, 401)
        return Response(_pair(issued))


class HasApiSession(BasePermission):
    """Signed in with a bearer token (bound to a person yet or not)."""

    message = "Sign in with the mini-program first."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiSession)


class TokenView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasApiSession]

    def mini_user(self) -> MiniProgramUser:
        session: ApiSession = self.request.auth  # type: ignore[assignment]
        return session.user


class SignOutView(TokenView):
    @extend_schema(
        tags=["auth"], summary="Sign out this device", request=None, responses={200: DoneSerializer}
    )
    def post(self, request: Request) -> Response:
        api_session_revoke(session=request.auth, reason="signed_out")  # type: ignore[arg-type]
        return Response({"done": True})


class PhoneBindSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=128, required=False, help_text="getPhoneNumber's code")
    phone = serializers.CharField(max_length=20, required=False)
    sms_code = serializers.CharField(max_length=8, required=False)


class BoundSerializer(serializers.Serializer[Any]):
    phone_bound = serializers.BooleanField()
    staff = serializers.BooleanField()


def _bound(mini_user: MiniProgramUser) -> dict[str, bool]:
    return {"phone_bound": mini_user.customer_id is not None, "staff": mini_user.staff_id is not None}


class PhoneBindView(TokenView):
    @extend_schema(
        tags=["auth"],
        summary="Bind the phone once: the phone-number button's code, or phone + SMS code",
        request=PhoneBindSerializer,
        responses={200: BoundSerializer, **ERRORS, 503: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        body = PhoneBindSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        mini_user = self.mini_user()
        try:
            if data.get("code"):
                miniprogram_phone_bind(user=mini_user, code=data["code"])
            elif data.get("phone") and data.get("sms_code"):
                miniprogram_phone_bind_sms(user=mini_user, phone=data["phone"], sms_code=data["sms_code"])
            else:
                return _refused(_("Send the phone-number code, or a phone and its SMS code."), "invalid", 400)
        except SignInRefused as exc:
            return _refused(exc.message, exc.code, exc.status)
        except DjangoValidationError as exc:
            return _refused(" ".join(exc.messages), "invalid", 400)
        return Response(_bound(mini_user))


class SmsCodeSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField(max_length=20)


class PhoneSmsCodeView(TokenView):
    @extend_schema(
        tags=["auth"],
        summary="Send an SMS code to bind this phone",
        request=SmsCodeSerializer,
        responses={200: DoneSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = SmsCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            code_send(
                phone=body.validated_data["phone"],
                purpose=SMS_PURPOSE,
                scope=str(getattr(connection, "schema_name", "public")),
                ip=client_ip(request),
            )
        except DjangoValidationError as exc:
            return _refused(" ".join(exc.messages), str(getattr(exc, "reason", "invalid")), 400)
        return Response({"done": True})


class StaffBindSerializer(serializers.Serializer[Any]):
    scene = serializers.CharField(max_length=32, help_text="the scene of the console's binding code")


class StaffBindView(TokenView):
    @extend_schema(
        tags=["auth"],
        summary="Bind this WeChat user to the staff member whose console binding code was scanned",
        request=StaffBindSerializer,
        responses={200: BoundSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = StaffBindSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mini_user = self.mini_user()
        try:
            miniprogram_staff_bind(user=mini_user, scene=body.validated_data["scene"])
        except SignInRefused as exc:
            return _refused(exc.message, exc.code, exc.status)
        return Response(_bound(mini_user))


class CompanyJoinSerializer(serializers.Serializer[Any]):
    registration_token = serializers.CharField(max_length=40, help_text="from the company code's scene")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)


class CompanyJoinView(TokenView):
    @extend_schema(
        tags=["auth"],
        summary="Join the company whose registration code was scanned (phone bound first)",
        request=CompanyJoinSerializer,
        responses={200: BoundSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = CompanyJoinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mini_user = self.mini_user()
        try:
            miniprogram_company_join(user=mini_user, **body.validated_data)
        except SignInRefused as exc:
            return _refused(exc.message, exc.code, exc.status)
        except DjangoValidationError as exc:
            return _refused(" ".join(exc.messages), "invalid", 400)
        return Response(_bound(mini_user))


# --- Signed-in devices ------------------------------------------------------------------------------


class ApiSessionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    device = serializers.CharField()
    nickname = serializers.CharField(source="user.nickname")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, session: ApiSession) -> bool:
        current = self.context.get("current")
        return isinstance(current, ApiSession) and current.pk == session.pk


def _own_users(request: Request) -> Any:
    """The mini-program users that are the caller (by token, or the session's customer/staff)."""
    user = request.user
    if isinstance(request.auth, ApiSession):
        return MiniProgramUser.objects.filter(pk=request.auth.user_id)
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return MiniProgramUser.objects.none()
    return MiniProgramUser.objects.filter(customer__user_id=user.pk) | MiniProgramUser.objects.filter(
        staff__user_id=user.pk
    )


class MySessionsView(APIView):
    @extend_schema(
        tags=["auth"], summary="My signed-in devices", responses={200: ApiSessionSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        sessions = api_sessions_live(users=_own_users(request))
        return Response(ApiSessionSerializer(sessions, many=True, context={"current": request.auth}).data)


class MySessionView(APIView):
    @extend_schema(
        tags=["auth"],
        summary="Sign out one of my devices",
        responses={200: DoneSerializer, 404: ErrorSerializer},
    )
    def delete(self, request: Request, pk: int) -> Response:
        session = api_sessions_live(users=_own_users(request)).filter(pk=pk).first()
        if session is None:
            return _refused(_("Not found."), "not_found", 404)
        api_session_revoke(session=session, reason="revoked_by_owner")
        return Response({"done": True})


class IsAdminOrDispatcher(BasePermission):
    message = "Your role may not use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        staff = staff_for_user(user=request.user)
        return staff is not None and staff.role in {StaffRole.ADMIN, StaffRole.DISPATCHER}


def _customer_users(pk: int) -> Any:
    customer = Customer.objects.filter(pk=pk).first()
    return MiniProgramUser.objects.filter(customer=customer) if customer else None


class CustomerSessionsView(APIView):
    permission_classes = [IsAdminOrDispatcher]

    @extend_schema(
        tags=["console"],
        summary="A customer's signed-in mini-program devices",
        responses={200: ApiSessionSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        users = _customer_users(pk)
        if users is None:
            return _refused(_("Not found."), "not_found", 404)
        return Response(ApiSessionSerializer(api_sessions_live(users=users), many=True).data)


class CustomerSessionView(APIView):
    permission_classes = [IsAdminOrDispatcher]

    @extend_schema(
        tags=["console"],
        summary="Sign a customer's device out",
        responses={200: DoneSerializer, 404: ErrorSerializer},
    )
    def delete(self, request: Request, pk: int, session_pk: int) -> Response:
        users = _customer_users(pk)
        session = api_sessions_live(users=users).filter(pk=session_pk).first() if users is not None else None
        if session is None:
            return _refused(_("Not found."), "not_found", 404)
        api_session_revoke(session=session, reason="revoked_by_staff")
        return Response({"done": True})
