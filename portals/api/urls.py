from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portals.api import me_views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file: no inline script under the CSP.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
    path("v1/me/", me_views.MeView.as_view(), name="api-me"),
    path("v1/", include("portals.api.miniprogram_urls")),  # mini-program sign-in, sessions, scenes
    path("v1/", include("portals.api.order_urls")),  # orders: portal, console, engineer
    path("v1/", include("portals.api.visitor_urls")),  # 预约访客: visitor, approver, guard
]
