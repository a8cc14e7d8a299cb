"""URLs of the shared public site (``BASE_DOMAIN``): landing, operator console, health."""

from django.contrib import admin
from django.urls import include, path

from saas_platform import views

admin.site.site_header = "Baoxiu 运营后台 · Operator console"
admin.site.site_title = "Baoxiu operators"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("operator/", admin.site.urls),
    path("", views.landing, name="landing"),
]
