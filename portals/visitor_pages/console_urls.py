"""Console routes of the visitor module, under ``/console/visitors/`` (names ``console:visitors…``)."""

from django.urls import path

from portals.visitor_pages import console_views, gate_views, setup_views

urlpatterns = [
    path("", console_views.process_centre, name="visitors"),
    path("applications/", console_views.application_index, name="visitors-applications"),
    path("applications/<int:pk>/", console_views.application_detail, name="visitors-application"),
    path("applications/<int:pk>/revoke-pass/", console_views.pass_revoke, name="visitors-pass-revoke"),
    path("invitations/", console_views.invitation_index, name="visitors-invitations"),
    path("invitations/new/", console_views.invitation_new, name="visitors-invitation-new"),
    path("invitations/import/", console_views.invitation_import, name="visitors-invitation-import"),
    path("invitations/<int:pk>/", console_views.invitation_detail, name="visitors-invitation"),
    path("setup/", setup_views.setup, name="visitors-setup"),
    path("setup/units/new/", setup_views.unit_edit, name="visitors-unit-new"),
    path("setup/units/<int:pk>/", setup_views.unit_edit, name="visitors-unit"),
    path("setup/groups/new/", setup_views.group_edit, name="visitors-group-new"),
    path("setup/groups/<int:pk>/", setup_views.group_edit, name="visitors-group"),
    path("setup/steps/new/", setup_views.step_edit, name="visitors-step-new"),
    path("setup/steps/<int:pk>/", setup_views.step_edit, name="visitors-step"),
    path("setup/steps/<int:pk>/action/", setup_views.step_action, name="visitors-step-action"),
    path("gate/", gate_views.gate, name="visitors-gate"),
]
