"""Our WeChat third-party platform on the public host (included at ``wechat/component/``)."""

from django.urls import path

from integrations.wechat import public_views

urlpatterns = [
    path("events/", public_views.component_events, name="wechat-component-events"),
    path("<str:appid>/callback/", public_views.component_callback, name="wechat-component-callback"),
]
