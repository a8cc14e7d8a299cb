"""Order API routes (``/api/v1/…``): portal, console and engineer."""

from django.urls import path

from portals.api import order_views as v

urlpatterns = [
    # Portal (end customers, company managers)
    path("portal/form/", v.PortalFormView.as_view(), name="api-portal-form"),
    path("portal/assets/lookup/", v.AssetLookupView.as_view(), name="api-portal-asset-lookup"),
    path("portal/photos/", v.PortalPhotoUploadView.as_view(), name="api-portal-photos"),
    path("portal/orders/", v.PortalOrdersView.as_view(), name="api-portal-orders"),
    path("portal/orders/<int:pk>/", v.PortalOrderView.as_view(), name="api-portal-order"),
    *[
        path(f"portal/orders/<int:pk>/{name}/", view.as_view(), name=f"api-portal-order-{name}")
        for name, view in v.PORTAL_STEPS.items()
    ],
    # Console (admins, dispatchers, supervisors)
    path("console/orders/", v.ConsoleOrdersView.as_view(), name="api-console-orders"),
    path("console/orders/<int:pk>/", v.ConsoleOrderView.as_view(), name="api-console-order"),
    path("console/engineers/", v.ConsoleEngineersView.as_view(), name="api-console-engineers"),
    *[
        path(f"console/orders/<int:pk>/{name}/", view.as_view(), name=f"api-console-order-{name}")
        for name, view in v.CONSOLE_STEPS.items()
    ],
    # Engineer
    path("engineer/jobs/", v.EngineerJobsView.as_view(), name="api-engineer-jobs"),
    path("engineer/jobs/<int:pk>/", v.EngineerJobView.as_view(), name="api-engineer-job"),
    path("engineer/photos/", v.EngineerPhotoUploadView.as_view(), name="api-engineer-photos"),
    *[
        path(f"engineer/jobs/<int:pk>/{name}/", view.as_view(), name=f"api-engineer-job-{name}")
        for name, view in v.ENGINEER_STEPS.items()
    ],
]
