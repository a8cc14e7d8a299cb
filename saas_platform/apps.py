from django.apps import AppConfig


class SaasPlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"
