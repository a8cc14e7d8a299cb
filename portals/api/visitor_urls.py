"""Visitor API routes under /api/v1/visitors/ (names ``api-visitors-…``)."""

from django.urls import path

from portals.api import visitor_views as v

urlpatterns = [
    path("visitors/invitations/", v.MyInvitationsView.as_view(), name="api-visitors-invitations"),
    path("visitors/applications/", v.MyApplicationsView.as_view(), name="api-visitors-applications"),
    path("visitors/applications/<int:pk>/", v.MyApplicationView.as_view(), name="api-visitors-application"),
    path("visitors/process/", v.ProcessCentreView.as_view(), name="api-visitors-process"),
    path(
        "visitors/process/<int:pk>/", v.ProcessApplicationView.as_view(), name="api-visitors-process-detail"
    ),
    path("visitors/process/<int:pk>/decision/", v.DecisionView.as_view(), name="api-visitors-decision"),
    path("visitors/gate/check/", v.GateCheckView.as_view(), name="api-visitors-gate-check"),
    path("visitors/gate/on-site/", v.OnSiteView.as_view(), name="api-visitors-on-site"),
]
