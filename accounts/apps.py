from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import signed_in

        signed_in.connect()  # the cached signed-in user is dropped when a user or customer changes
