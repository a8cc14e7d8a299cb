"""Console routes of the order work (included into the ``console`` namespace): 报修单列表 and
dashboard, 报修单表单, machines and catalog, photos, and the engineer's jobs (``jobs/``)."""

from django.urls import include, path

from portals.console import asset_views, dashboard_views, dispatch_views, order_views, template_views
from portals.engineer import job_sheet_views

urlpatterns = [
    path("orders/", order_views.order_index, name="orders"),
    path("orders/export.csv", order_views.order_export, name="orders-export"),
    path("orders/approvals/", order_views.approval_queue, name="approvals"),
    path("orders/bulk/", dispatch_views.orders_bulk, name="orders-bulk"),
    path("orders/<int:pk>/job-sheet.pdf", job_sheet_views.order_job_sheet, name="order-job-sheet"),
    path(
        "orders/<int:pk>/accept-dispatch/", dispatch_views.order_accept_dispatch, name="order-accept-dispatch"
    ),
    path("orders/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("orders/<int:pk>/", order_views.order_detail, name="order-detail"),
    path("orders/<int:pk>/<slug:action>/", order_views.order_step, name="order-action"),
    path("photos/<int:pk>/", order_views.photo, name="photo"),
    path("forms/", template_views.template_index, name="forms"),
    path("forms/<int:pk>/", template_views.template_preview, name="form-preview"),
    path("forms/<int:pk>/edit/", template_views.template_edit, name="form-edit"),
    path("forms/<int:pk>/versions/", template_views.template_versions, name="form-versions"),
    path("forms/<int:pk>/<slug:action>/", template_views.template_action, name="form-action"),
    path("assets/", asset_views.asset_index, name="assets"),
    path("assets/new/", asset_views.asset_new, name="asset-new"),
    path("assets/labels.pdf", asset_views.asset_labels, name="asset-labels"),
    path("assets/export.<str:file_format>", asset_views.asset_export, name="asset-export"),
    path("assets/import/", asset_views.asset_import, name="asset-import"),
    path(
        "assets/import/template.<str:file_format>",
        asset_views.asset_import_template,
        name="asset-import-template",
    ),
    path("assets/import/<int:pk>/", asset_views.asset_import_job, name="asset-import-job"),
    path("assets/import/<int:pk>/status/", asset_views.asset_import_status, name="asset-import-status"),
    path("assets/<int:pk>/", asset_views.asset_edit, name="asset-edit"),
    path("catalog/", asset_views.catalog, name="catalog"),
    path("catalog/<slug:kind>/<int:pk>/", asset_views.catalog_entry, name="catalog-entry"),
    path("jobs/", include("portals.engineer.urls")),
]
