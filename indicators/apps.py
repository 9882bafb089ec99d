from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("ตัวชี้วัด")

    def ready(self):
        from core import nav
        from indicators import checks, demo, permissions  # noqa: F401 - they register themselves

        # The pages' own rules come from their decorated views (core.access reads them).
        nav.register(10, _("ตัวชี้วัด"), "indicators:dashboard", permissions.can_view)
        nav.register(15, _("พิจารณาหลักฐาน"), "indicators:review-queue", permissions.can_review)
        # The sets page (admins) opens from the indicators page: the menu bar holds one row.
