"""Public-host billing routes (included under ``billing/`` by ``saas_platform.urls_public``)."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
    path("webhooks/wechatpay/", views.wechatpay_notify, name="wechatpay-notify"),
]
