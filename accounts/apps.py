from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("ผู้ใช้และสิทธิ์")

    def ready(self):
        from core import nav
        from core.roles import ADMIN

        nav.register(95, pgettext_lazy("users page", "ผู้ใช้"), "accounts:list", [ADMIN])
