from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "ผู้ใช้และสิทธิ์"

    def ready(self):
        from core import nav
        from core.roles import ADMIN

        nav.register(95, "ผู้ใช้", "accounts:list", [ADMIN])
