from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("นำเข้าข้อมูล")

    def ready(self):
        from core import nav
        from imports.permissions import can_import

        nav.register(80, _("นำเข้าข้อมูล"), "imports:upload", can_import)
