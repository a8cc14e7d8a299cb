from django.apps import AppConfig


class VisitorsConfig(AppConfig):
    name = "visitors"
    verbose_name = "Visitors"
    default_auto_field = "django.db.models.BigAutoField"
