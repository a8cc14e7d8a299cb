"""Engineer job routes, included into the ``console`` namespace under ``jobs/``."""

from django.urls import path

from portals.engineer import job_sheet_views, views

urlpatterns = [
    path("", views.job_index, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/signature/", job_sheet_views.job_signature, name="job-signature"),
    path("<int:pk>/charges/", job_sheet_views.job_charges, name="job-charges"),
    path("<int:pk>/job-sheet.pdf", job_sheet_views.job_sheet, name="job-sheet"),
    path("<int:pk>/<slug:action>/", views.job_step, name="job-action"),
]
