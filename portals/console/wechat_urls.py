"""Console routes of the message centre, the message log and the WeChat official account
(included into the ``console`` namespace)."""

from django.urls import path

from portals.console import messages_views, wechat_views

urlpatterns = [
    path("messages/", messages_views.message_inbox, name="messages"),
    path("messages/log/", messages_views.message_log, name="message-log"),
    path("messages/<int:pk>/", messages_views.message_detail, name="message-detail"),
    path("wechat/", wechat_views.wechat_home, name="wechat"),
    path("wechat/authorize/", wechat_views.wechat_authorize, name="wechat-authorize"),
    path("wechat/authorized/", wechat_views.wechat_authorized, name="wechat-authorized"),
    path("wechat/menu/", wechat_views.wechat_menu_edit, name="wechat-menu"),
    path("wechat/me/", wechat_views.wechat_me, name="wechat-me"),
    path("wechat/me/qr.<str:kind>", wechat_views.wechat_me_qr, name="wechat-me-qr"),
]
