from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("ระบบกลาง")

    def ready(self):
        from core import nav
        from core.permissions import can_resolve_duplicates

        nav.register(96, _("เลขซ้ำ"), "duplicates", can_resolve_duplicates)
