from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "finsam.accounts"
    verbose_name = "Användare"
