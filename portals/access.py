"""Who may see a console or portal screen.

Console: not signed in as staff (anonymous, or signed in as a portal customer) → the staff login
page; a staff member without the role → 403. Portal: not signed in as a customer → the customer
login page. Staff and customers are different users of the schema, so one session is either.

Staff objects are looked up in the active tenant's schema only, so a session from another tenant's
host is never valid here (each schema has its own sessions and users).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Customer, StaffMember
from accounts.selectors import customer_for_user, staff_for_user

View = Callable[..., HttpResponse]


def staff_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_for_user(user=request.user)
            if staff is None:
                return redirect_to_login(request.get_full_path())
            if roles and staff.role not in roles:
                raise PermissionDenied
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def current_staff(request: HttpRequest) -> StaffMember:
    return request.staff  # type: ignore[attr-defined]


def customer_required(view: View) -> View:
    """Portal screens for a signed-in end customer (``request.customer``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = customer_for_user(user=request.user)
        if customer is None:
            return redirect_to_login(request.get_full_path(), login_url="portal:login")
        request.customer = customer  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def current_customer(request: HttpRequest) -> Customer:
    return request.customer  # type: ignore[attr-defined]
