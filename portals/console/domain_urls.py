"""Console routes for domains (included by portals/console/urls.py in the console namespace)."""

from django.urls import path

from portals.console import domain_views

urlpatterns = [
    path("", domain_views.domains, name="domains"),
    path("subdomain/", domain_views.subdomain_request, name="domain-subdomain"),
    path("custom/", domain_views.custom_request, name="domain-custom"),
    path("custom/<int:pk>/", domain_views.custom_detail, name="domain-detail"),
    path("custom/<int:pk>/verify/", domain_views.custom_verify, name="domain-verify"),
    path("requests/<int:pk>/cancel/", domain_views.request_cancel, name="domain-cancel"),
]
