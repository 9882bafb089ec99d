from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("ตัวชี้วัด")

    def ready(self):
        from core import access, nav
        from core.roles import ADMIN, ALL_ROLES, APPROVER
        from indicators import checks, demo, permissions  # noqa: F401 - they register themselves

        nav.register(10, _("ตัวชี้วัด"), "indicators:dashboard", ALL_ROLES)
        nav.register(15, _("พิจารณาหลักฐาน"), "indicators:review-queue", [APPROVER, ADMIN])
        nav.register(90, _("ชุดตัวชี้วัด"), "indicators:set-list", [ADMIN])
        access.register("indicators:review-queue", permissions.can_review)
        access.register("indicators:evidence-review", permissions.can_review)
