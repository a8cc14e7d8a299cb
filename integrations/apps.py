from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Order events → notifications after commit (repair_forms never imports us).
        from integrations import domain_notices
        from integrations.notifications import signals, sms_templates

        sms_templates.register()
        signals.connect()
        domain_notices.connect()  # the operator's decision on a subdomain request → the provider's admins

        from integrations.notifications import visitor_events  # visitor events, the same outbox

        visitor_events.connect()

        from integrations.miniprogram import signals as miniprogram_signals

        miniprogram_signals.connect()
