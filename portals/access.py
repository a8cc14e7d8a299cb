"""Who may see a console screen. Unauthenticated → login page; signed in without the role → 403.

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

from accounts.models import StaffMember
from accounts.selectors import staff_for_user

View = Callable[..., HttpResponse]


def staff_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_for_user(user=request.user)
            if staff is None:
                if request.user.is_authenticated:
                    raise PermissionDenied
                return redirect_to_login(request.get_full_path())
            if roles and staff.role not in roles:
                raise PermissionDenied
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def current_staff(request: HttpRequest) -> StaffMember:
    return request.staff  # type: ignore[attr-defined]
