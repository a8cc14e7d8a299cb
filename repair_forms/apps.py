from django.apps import AppConfig


class RepairFormsConfig(AppConfig):
    name = "repair_forms"
    verbose_name = "Repair orders"
    default_auto_field = "django.db.models.BigAutoField"
