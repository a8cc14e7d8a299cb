"""Engineer job routes, included into the ``console`` namespace under ``jobs/``."""

from django.urls import path

from portals.engineer import views

urlpatterns = [
    path("", views.job_index, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/<slug:action>/", views.job_step, name="job-action"),
]
