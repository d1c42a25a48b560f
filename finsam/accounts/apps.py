from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "finsam.accounts"
    verbose_name = "Användare"

    def ready(self):
        # Signal receivers: session clocks at sign-in, audit of lockouts.
        from finsam.accounts import sessions, throttling  # noqa: F401
