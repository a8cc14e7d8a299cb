from django.urls import include, path

from portals.customer import auth_views, embed_views, messages_views, register_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.customer_login, name="login"),
    path("logout/", auth_views.customer_logout, name="logout"),
    path("messages/", messages_views.message_inbox, name="messages"),
    path("company/<str:token>/", register_views.company_join, name="company-join"),
    path("embed/login/", embed_views.embed_login, name="embed-login"),
    path("embed/enter/", embed_views.embed_enter, name="embed-enter"),
    path("visit/", include("portals.visitor_pages.portal_urls")),  # 预约访客: the visitor's pages
    path("", include("portals.customer.order_urls")),  # report, my orders, company orders
]
