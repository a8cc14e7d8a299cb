"""``Authorization: Bearer <access token>`` for every ``/api/v1/`` route, beside session cookies.

The token is a mini-program ``ApiSession``'s (``integrations.miniprogram.api_tokens``). The request
runs as the person the session's mini-program user is bound to (a staff member first, else a
customer); before a phone or staff binding it is anonymous with ``request.auth`` set, which is
enough for the binding endpoints. A refused token is 401 (another provider's token too: its
signature names the other schema), never a silent fall-back to anonymous.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from integrations.miniprogram.api_tokens import TokenRefused, api_session_for_access
from integrations.miniprogram.models import ApiSession


class TokenRejected(APIException):
    """401 whatever the first authenticator is (DRF would turn ``AuthenticationFailed`` into 403
    because session authentication, listed first, sends no ``WWW-Authenticate``)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("The access token is not valid or has expired. Refresh it or sign in again.")
    default_code = "invalid_token"


def session_person_user(session: ApiSession) -> Any:
    """The Django user a session acts as, or AnonymousUser before any binding; None when the person
    behind it may no longer sign in."""
    mini_user = session.user
    if mini_user.staff_id is not None:
        staff = mini_user.staff
        return staff.user if staff is not None and staff.is_active and staff.user.is_active else None
    if mini_user.customer_id is not None:
        customer = mini_user.customer
        return customer.user if customer is not None and customer.user.is_active else None
    return AnonymousUser()


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiSession] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise TokenRejected
        try:
            session = api_session_for_access(header[1].decode("latin-1"))
        except TokenRefused as exc:
            raise TokenRejected(code=exc.reason) from exc
        user = session_person_user(session)
        if user is None:
            raise TokenRejected(_("This account has been deactivated."), code="deactivated")
        return user, session

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portals.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Access token from POST /api/v1/auth/miniprogram/ (2 h; refresh with "
            "POST /api/v1/auth/refresh/).",
        }
