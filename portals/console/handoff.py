"""Hand-off sign-in: the public site (signup, sign-in, password reset on the bare domain) signs a
person in on their provider's host, where the console's own session lives.

The public site makes a token with ``handoff_url``; the browser follows it to
``/console/handoff/<token>/`` on the provider's host, which signs the staff member in and goes to
the workbench. What must stay true:
- the token is signed (``django.core.signing``, own salt), names one schema and one phone, and is
  good for ``MAX_AGE`` seconds (60) and for one use (its nonce is burnt in the shared cache);
- it only works on the provider it names: another provider's host refuses it;
- only an active staff member of that provider is signed in.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.selectors import staff_for_user
from tenants.domains import portal_url
from tenants.models import Provider

SALT = "baoxiu.console.handoff"
MAX_AGE = 60


def handoff_token_make(*, provider: Provider, phone: str) -> str:
    payload = {"schema": provider.schema_name, "phone": phone, "nonce": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=SALT)


def handoff_url(*, provider: Provider, phone: str, request: HttpRequest | None = None) -> str:
    """Absolute URL on ``provider``'s primary host that signs ``phone`` in once, within a minute;
    on the scheme and port ``request`` came in on (``tenants.domains.request_origin``)."""
    path = reverse(
        "console:handoff",
        kwargs={"token": handoff_token_make(provider=provider, phone=phone)},
        urlconf=settings.ROOT_URLCONF,
    )
    return portal_url(provider.primary_host, path, request=request)


def _redeem(request: HttpRequest, token: str) -> object | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    tenant = getattr(request, "tenant", None)
    if not isinstance(data, dict) or tenant is None or data.get("schema") != tenant.schema_name:
        return None
    if not cache.add(f"console-handoff-used:{data.get('nonce')}", True, MAX_AGE * 2):
        return None  # already used
    user = get_user_model().objects.filter(username=str(data.get("phone", ""))).first()
    if user is None or not user.is_active or staff_for_user(user=user) is None:
        return None
    return user


@never_cache
def handoff(request: HttpRequest, token: str) -> HttpResponse:
    user = _redeem(request, token)
    if user is None:
        messages.error(
            request,
            _("This sign-in link has expired or was already used. Sign in with your phone and password."),
        )
        return redirect("console:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
    return redirect("console:home")
