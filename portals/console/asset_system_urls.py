"""一葫芦 / asset-system routes, included under ``asset-system/`` in the console urlconf."""

from django.urls import path

from portals.console import asset_system_views as views

urlpatterns = [
    path("", views.asset_systems, name="sync"),
    path("new/", views.binding_new, name="sync-new"),
    path("<int:pk>/", views.binding_edit, name="sync-binding"),
    path("<int:pk>/test/", views.binding_test, name="sync-test"),
    path("<int:pk>/switch/", views.binding_toggle, name="sync-toggle"),
    path("<int:pk>/webhook-secret/", views.binding_rotate, name="sync-rotate"),
    path("log/", views.sync_log, name="sync-log"),
    path("log/retry-failed/", views.links_retry_failed, name="sync-retry-failed"),
    path("links/<int:pk>/retry/", views.link_retry, name="sync-retry"),
]
