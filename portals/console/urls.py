from django.contrib.auth import views as auth_views
from django.urls import include, path

from portals.console import handoff, views
from portals.console.forms import PhoneLoginForm

app_name = "console"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portals/console/login.html",
            authentication_form=PhoneLoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("handoff/<str:token>/", handoff.handoff, name="handoff"),
    path("domains/", include("portals.console.domain_urls")),
    path("account/", include("portals.console.billing_urls")),
    path("", views.workbench, name="home"),
    path("portal-qr.<str:kind>", views.portal_qr, name="portal-qr"),
]
