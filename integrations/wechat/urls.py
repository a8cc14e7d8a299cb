"""WeChat routes on a provider's host (included at ``wechat/`` by ``saas_platform.urls_tenant``)."""

from django.urls import path

from integrations.wechat import views

urlpatterns = [
    path("callback/", views.callback, name="wechat-callback"),
    path("oauth/start/", views.oauth_start, name="wechat-oauth-start"),
    path("oauth/callback/", views.oauth_callback, name="wechat-oauth-callback"),
    path("bind/", views.bind, name="wechat-bind"),
    path("staff-bind/<str:token>/", views.staff_bind, name="wechat-staff-bind"),
]
