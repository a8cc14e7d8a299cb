from django.urls import path

from portals.customer import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
]
