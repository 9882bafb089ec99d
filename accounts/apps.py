from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("ผู้ใช้และสิทธิ์")

    def ready(self):
        from accounts.permissions import can_manage_users
        from core import nav

        nav.register(95, pgettext_lazy("users page", "ผู้ใช้"), "accounts:list", can_manage_users)
