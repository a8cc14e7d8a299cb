"""URLs of a provider's host (``<sub>.BASE_DOMAIN`` or its own domain). Every route here is
enumerated by the isolation harness (tests/isolation)."""

from django.urls import include, path

from saas_platform import internal_views, views

# Unknown /api/ paths answer JSON like the API; everything else keeps the HTML 404 page.
handler404 = "saas_platform.api_errors.not_found"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("internal/tls-ask", internal_views.tls_ask, name="tls-ask"),
    path("api/", include("portals.api.urls")),
    path("console/", include("portals.console.urls")),
    path("integrations/", include("integrations.asset_systems.urls")),
    path("wechat/", include("integrations.wechat.urls")),
    path("", include("portals.customer.urls")),
]
