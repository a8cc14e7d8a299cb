from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SaasPlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saas_platform import checks  # noqa: F401  (registers the deployment checks)
        from saas_platform.observability import (
            celery_signals,  # noqa: F401  (task logs and metrics)
            redact,
        )

        redact.install()  # credentials in outside services' URLs and answers never reach a log line

        from saas_platform.operator_labels import label_third_party_apps

        label_third_party_apps()  # the operator console's sidebar in Chinese
