"""Mini-program routes (``/api/v1/…``): sign-in and API sessions, profile, 葵花码 scenes."""

from django.urls import path

from portals.api import auth_views as a
from portals.api import miniprogram_views as m

urlpatterns = [
    path("auth/miniprogram/", a.MiniProgramSignInView.as_view(), name="api-auth-miniprogram"),
    path("auth/refresh/", a.RefreshView.as_view(), name="api-auth-refresh"),
    path("auth/sign-out/", a.SignOutView.as_view(), name="api-auth-sign-out"),
    path("auth/miniprogram/phone/", a.PhoneBindView.as_view(), name="api-auth-phone"),
    path("auth/miniprogram/phone/sms-code/", a.PhoneSmsCodeView.as_view(), name="api-auth-phone-sms-code"),
    path("auth/miniprogram/staff/", a.StaffBindView.as_view(), name="api-auth-staff-bind"),
    path("auth/miniprogram/company/", a.CompanyJoinView.as_view(), name="api-auth-company-join"),
    path("miniprogram/scene/<str:scene>/", m.SceneView.as_view(), name="api-miniprogram-scene"),
    path("miniprogram/config/", m.LaunchConfigView.as_view(), name="api-miniprogram-config"),
    path("miniprogram/subscriptions/", m.SubscriptionsView.as_view(), name="api-miniprogram-subscriptions"),
    path("me/sessions/", a.MySessionsView.as_view(), name="api-me-sessions"),
    path("me/sessions/<int:pk>/", a.MySessionView.as_view(), name="api-me-session"),
    path(
        "console/customers/<int:pk>/sessions/", a.CustomerSessionsView.as_view(), name="api-customer-sessions"
    ),
    path(
        "console/customers/<int:pk>/sessions/<int:session_pk>/",
        a.CustomerSessionView.as_view(),
        name="api-customer-session",
    ),
]
