"""What the mini-program asks on launch: what a scanned 葵花码 scene opens, and the provider's
mini-program settings (name, the subscribe message templates to request at report time)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import provider_profile_cached
from integrations.miniprogram.codes import scene_resolve
from integrations.miniprogram.models import ApiSession, MiniProgramAccount
from integrations.miniprogram.subscribe import subscribe_results_record
from portals.api.auth_views import HasApiSession
from portals.api.authentication import BearerTokenAuthentication
from portals.api.order_serializers import ErrorSerializer


class SceneSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["portal", "company", "asset", "engineer", "staff_bind"])
    page = serializers.CharField(help_text="the mini-program page to open")
    values = serializers.DictField(help_text="asset token, company registration token, join token …")


class LaunchConfigSerializer(serializers.Serializer[Any]):
    provider = serializers.CharField()
    phone = serializers.CharField(allow_blank=True, help_text="the repair centre's phone (维修中心)")
    subscribe_templates = serializers.DictField(
        child=serializers.CharField(), help_text="notification slot → subscribe message template id"
    )


class PublicView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class SceneView(PublicView):
    @extend_schema(
        tags=["miniprogram"],
        summary="What a scanned mini-program code (scene) opens",
        responses={200: SceneSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, scene: str) -> Response:
        target = scene_resolve(scene)
        if target is None:
            return Response({"detail": "Unknown or withdrawn code.", "code": "not_found"}, status=404)
        return Response(
            SceneSerializer({"kind": target.kind, "page": target.page, "values": target.values}).data
        )


class LaunchConfigView(PublicView):
    @extend_schema(
        tags=["miniprogram"],
        summary="The provider's name, phone and subscribe message templates",
        responses={200: LaunchConfigSerializer},
    )
    def get(self, request: Request) -> Response:
        account = MiniProgramAccount.objects.order_by("pk").first()
        data = {
            "provider": request.tenant.name,  # type: ignore[attr-defined]
            "phone": provider_profile_cached().contact_phone,
            "subscribe_templates": dict(account.subscribe_template_ids) if account else {},
        }
        return Response(LaunchConfigSerializer(data).data)


class SubscriptionsSerializer(serializers.Serializer[Any]):
    results = serializers.DictField(
        child=serializers.CharField(max_length=20),
        help_text="wx.requestSubscribeMessage's answer: template id → accept / reject / ban / filter",
    )


class GrantsSerializer(serializers.Serializer[Any]):
    remaining = serializers.DictField(
        child=serializers.IntegerField(), help_text="template id → messages left"
    )


class SubscriptionsView(APIView):
    """The client reports what the person answered to ``wx.requestSubscribeMessage``."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasApiSession]

    @extend_schema(
        tags=["miniprogram"],
        summary="Record subscribe message answers (one message per accept)",
        request=SubscriptionsSerializer,
        responses={200: GrantsSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        body = SubscriptionsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session: ApiSession = request.auth  # type: ignore[assignment]
        left = subscribe_results_record(user=session.user, results=dict(body.validated_data["results"]))
        return Response(GrantsSerializer({"remaining": left}).data)
