from django.apps import AppConfig


class AssetSystemsConfig(AppConfig):
    name = "integrations.asset_systems"
    label = "asset_systems"
    verbose_name = "External asset systems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # New orders → push to the bound system after commit (repair_forms never imports us).
        from integrations.asset_systems import adapters, signals

        adapters.load_builtin()
        signals.connect()
