from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portals.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[]), name="api-docs"
    ),
    path("v1/me/", views.MeView.as_view(), name="api-me"),
    path("v1/", include("portals.api.order_urls")),  # orders: portal, console, engineer
]
