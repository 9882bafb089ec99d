"""The volunteers pages, one module per area; urls.py takes the views from here.

- dashboard: ภาพรวม อพม. (its figures are the named queries of volunteers/queries.py)
- registry: the register, its export, a volunteer's page and form
- cards: a volunteer's card and certificate (PDF), a card issued anew
- training: courses, enrolling, results
- service_records: the services volunteers gave
- plans: the 3-year development plan
- field_report: the field-work report (page, xlsx, PDF)

Every view says who may open it with a permission of volunteers/permissions.py
(``@permissions.can_view.required`` …), which core.access reads for the links and the menu;
scope is the models' ``visible_to(user)``.
"""

from volunteers.views.cards import card_pdf, card_renew, certificate_pdf
from volunteers.views.dashboard import dashboard
from volunteers.views.field_report import field_report
from volunteers.views.plans import plan_detail, plan_form, plan_list
from volunteers.views.registry import (
    volunteer_detail,
    volunteer_export,
    volunteer_form,
    volunteer_list,
)
from volunteers.views.service_records import service_bulk, service_create, service_list
from volunteers.views.training import (
    course_detail,
    course_enrol,
    course_form,
    course_list,
    course_results,
    enrolment_result,
)

__all__ = [
    "card_pdf",
    "card_renew",
    "certificate_pdf",
    "course_detail",
    "course_enrol",
    "course_form",
    "course_list",
    "course_results",
    "dashboard",
    "enrolment_result",
    "field_report",
    "plan_detail",
    "plan_form",
    "plan_list",
    "service_bulk",
    "service_create",
    "service_list",
    "volunteer_detail",
    "volunteer_export",
    "volunteer_form",
    "volunteer_list",
]
