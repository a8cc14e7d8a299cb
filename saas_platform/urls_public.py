"""URLs of the shared public site (``BASE_DOMAIN``): landing, operator console, health."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from billing import views as billing_views
from saas_platform import internal_views, onboarding, operator_views, views

admin.site.site_header = _("Baoxiu operator console")
admin.site.site_title = _("Baoxiu operators")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "operator/billing/dashboard/",
        admin.site.admin_view(billing_views.dashboard),
        name="billing-dashboard",
    ),
    path("operator/health/", admin.site.admin_view(operator_views.health), name="operator-health"),
    path("operator/audit/", admin.site.admin_view(operator_views.audit), name="operator-audit"),
    path("billing/", include("billing.urls")),
    path("pricing/", billing_views.pricing, name="pricing"),
    path("operator/", admin.site.urls),
    path("wechat/component/", include("integrations.wechat.public_urls")),
    path("internal/tls-ask", internal_views.tls_ask, name="tls-ask"),
    path("signup/", onboarding.signup, name="signup"),
    path("signup/subdomain-check/", onboarding.subdomain_check, name="subdomain-check"),
    path("sms/send-code/", onboarding.send_code, name="send-code"),
    path("login/", onboarding.login_view, name="login"),
    path("login/choose/", onboarding.login_choose, name="login-choose"),
    path("password-reset/", onboarding.password_reset, name="password-reset"),
    path("password-reset/new/", onboarding.password_reset_new, name="password-reset-new"),
    path("", views.landing, name="landing"),
]
