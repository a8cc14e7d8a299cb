"""Routes of the asset-system sync on a provider's host (included under ``integrations/``)."""

from django.urls import path

from integrations.asset_systems import views

urlpatterns = [
    path("asset-webhook/<int:binding_id>/", views.asset_webhook, name="asset-webhook"),
]
