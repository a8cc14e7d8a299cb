"""The order API for mini-program and mobile clients: the portal (report, my orders, steps), the
console (list, detail, office steps) and the engineer's jobs. Same services, selectors and
permissions as the screens.

Answers: a step the lifecycle refuses → 409 with its zh/en explanation (403 when the caller's role
may never take it); bad input → 400 with messages per field; an order that is missing, another
tenant's or not the caller's → 404; the wrong kind of user for the endpoint → 403.

Modules: ``base`` (permissions, base view, errors), ``portal``, ``console``, ``engineer``.
"""

from __future__ import annotations

from portals.api.order_views.base import (
    ERRORS,
    LIST_PARAMS,
    OFFICE,
    IsCustomer,
    IsEngineer,
    IsOfficeStaff,
    OrderAPIView,
    PhotoUploadView,
    StepView,
)
from portals.api.order_views.console import (
    CONSOLE_STEPS,
    ConsoleEngineersView,
    ConsoleOrdersView,
    ConsoleOrderView,
)
from portals.api.order_views.engineer import (
    ENGINEER_STEPS,
    EngineerJobsView,
    EngineerJobView,
    EngineerPhotoUploadView,
)
from portals.api.order_views.portal import (
    PORTAL_STEPS,
    AssetLookupView,
    PortalFormView,
    PortalOrdersView,
    PortalOrderView,
    PortalPhotoUploadView,
)

__all__ = [
    "PhotoUploadView",
    "StepView",
    "AssetLookupView",
    "CONSOLE_STEPS",
    "ConsoleEngineersView",
    "ConsoleOrderView",
    "ConsoleOrdersView",
    "ENGINEER_STEPS",
    "ERRORS",
    "EngineerJobView",
    "EngineerJobsView",
    "EngineerPhotoUploadView",
    "IsCustomer",
    "IsEngineer",
    "IsOfficeStaff",
    "LIST_PARAMS",
    "OFFICE",
    "OrderAPIView",
    "PORTAL_STEPS",
    "PhotoUploadView",
    "PortalFormView",
    "PortalOrderView",
    "PortalOrdersView",
    "PortalPhotoUploadView",
    "StepView",
]
