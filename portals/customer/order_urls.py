"""Portal routes for reporting and following orders (included into the ``portal`` namespace)."""

from django.urls import path

from portals.customer import order_views, report_views
from portals.manager import views as manager_views

urlpatterns = [
    path("report/", report_views.report, name="report"),
    path("report/photos/<int:pk>/", report_views.report_photo, name="report-photo"),
    path("orders/", order_views.my_orders, name="orders"),
    path("orders/<int:pk>/", order_views.order_detail, name="order-detail"),
    path("orders/<int:pk>/edit/", order_views.order_edit, name="order-edit"),
    path("orders/<int:pk>/<slug:action>/", order_views.order_action, name="order-action"),
    path("photos/<int:pk>/", order_views.photo, name="photo"),
    path("query/", order_views.query, name="query"),
    path("manager/orders/", manager_views.company_orders, name="manager-orders"),
]
