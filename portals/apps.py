from django.apps import AppConfig


class PortalsConfig(AppConfig):
    name = "portals"
    verbose_name = "Portals"
    default_auto_field = "django.db.models.BigAutoField"
