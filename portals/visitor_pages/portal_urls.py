"""The visitor's pages on the portal, under ``/visit/`` (names ``portal:visit…``)."""

from django.urls import path

from portals.visitor_pages import visitor_views

urlpatterns = [
    path("", visitor_views.visit_home, name="visit-home"),
    path("codes/", visitor_views.my_codes, name="visit-codes"),
    path("apply/", visitor_views.apply, name="visit-apply"),
    path("mine/", visitor_views.my_applications, name="visit-applications"),
    path("mine/<int:pk>/", visitor_views.application_detail, name="visit-application"),
    path("mine/<int:pk>/pass/", visitor_views.pass_page, name="visit-pass"),
]
