from django.contrib.auth import views as auth_views
from django.urls import include, path

from portals.console import (
    company_views,
    embed_views,
    handoff,
    profile_views,
    settings_views,
    staff_views,
    views,
    workbench_views,
)

app_name = "console"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("handoff/<str:token>/", handoff.handoff, name="handoff"),
    path("domains/", include("portals.console.domain_urls")),
    path("visitors/", include("portals.visitor_pages.console_urls")),  # 预约访客: invitations, 流程中心, gate
    path("account/", include("portals.console.billing_urls")),
    path("asset-system/", include("portals.console.asset_system_urls")),
    path("", include("portals.console.wechat_urls")),
    path("", include("portals.console.miniprogram_urls")),  # 微信小程序: binding, 葵花码
    path("", workbench_views.workbench, name="home"),
    path("workbench/counts/", workbench_views.workbench_counts, name="workbench-counts"),
    path("portal-qr.<str:kind>", views.portal_qr, name="portal-qr"),
    # 我的信息, 设置, 嵌入窗口登录
    path("profile/", profile_views.profile, name="profile"),
    path("settings/", settings_views.settings_edit, name="settings"),
    path("embed/", embed_views.embed_setup, name="embed"),
    # 员工: staff, invitations, engineer self-registration
    path("staff/", staff_views.staff_index, name="staff"),
    path("staff/invite/", staff_views.staff_invite_view, name="staff-invite"),
    path("staff/<int:pk>/", staff_views.staff_detail, name="staff-detail"),
    path("staff/join-link/", staff_views.join_link, name="staff-join-link"),
    path("staff/join-qr.<str:kind>", staff_views.join_qr, name="staff-join-qr"),
    path("welcome/<str:uidb64>/<str:token>/", staff_views.staff_welcome, name="staff-welcome"),
    path("join/<str:token>/", staff_views.engineer_join, name="engineer-join"),
    # 客户公司: customer companies
    path("companies/", company_views.company_index, name="companies"),
    path("companies/new/", company_views.company_new, name="company-new"),
    path("companies/<int:pk>/", company_views.company_detail, name="company-detail"),
    path("companies/<int:pk>/edit/", company_views.company_edit, name="company-edit"),
    path("companies/<int:pk>/qr.<str:kind>", company_views.company_qr, name="company-qr"),
    path("companies/<int:pk>/poster/", company_views.company_poster, name="company-poster"),
    path("", include("portals.console.order_urls")),  # orders, dashboard, forms, machines, jobs
]
