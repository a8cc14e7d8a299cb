"""JSON API for mini-program and mobile clients. Same services and permissions as the screens."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import staff_for_user
from portals.api.serializers import StaffMeSerializer


class MeView(APIView):
    """The signed-in staff member of this provider."""

    @extend_schema(responses=StaffMeSerializer)
    def get(self, request: Request) -> Response:
        staff = staff_for_user(user=request.user)
        if staff is None:
            raise NotFound
        return Response(StaffMeSerializer(staff).data)
