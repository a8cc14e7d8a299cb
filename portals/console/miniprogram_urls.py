"""Console routes of the WeChat mini-program (included into the ``console`` namespace)."""

from django.urls import path

from portals.console import miniprogram_views as views

urlpatterns = [
    path("miniprogram/", views.miniprogram_home, name="miniprogram"),
    path("miniprogram/code/<str:kind>.png", views.miniprogram_code_image, name="miniprogram-code"),
    path(
        "miniprogram/companies/<int:pk>/code.png",
        views.miniprogram_company_code,
        name="miniprogram-company-code",
    ),
    path("miniprogram/me/code.png", views.miniprogram_me_code, name="miniprogram-me-code"),
]
