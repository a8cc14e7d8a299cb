"""我的账户 routes, included under ``account/`` in the console urlconf (namespace ``console``)."""

from django.urls import path

from portals.console import billing_views as views

urlpatterns = [
    path("", views.account, name="account"),
    path("renew/", views.account_renew, name="account-renew"),
    path("upgrade/", views.account_upgrade, name="account-upgrade"),
    path("top-up/", views.account_top_up, name="account-top-up"),
    path("orders/<str:number>/", views.account_order, name="account-order"),
    path("orders/<str:number>/pay/", views.account_order_pay, name="account-order-pay"),
    path("orders/<str:number>/status/", views.account_order_status, name="account-order-status"),
    path("orders/<str:number>/qr.svg", views.account_order_qr, name="account-order-qr"),
    path("orders/<str:number>/cancel/", views.account_order_cancel, name="account-order-cancel"),
    path("orders/<str:number>/return/", views.account_order_return, name="account-order-return"),
]
