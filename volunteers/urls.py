from django.urls import path

from volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("list/", views.volunteer_list, name="list"),
    path("list/export.xlsx", views.volunteer_export, name="export"),
    path("expiring/", views.volunteer_list, {"expiring": True}, name="expiring"),
    path("new/", views.volunteer_form, name="create"),
    path("<int:pk>/", views.volunteer_detail, name="detail"),
    path("<int:pk>/edit/", views.volunteer_form, name="edit"),
    path("<int:pk>/card.pdf", views.card_pdf, name="card-pdf"),
    path("<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("<int:pk>/card/renew/", views.card_renew, name="card-renew"),
    path("courses/", views.course_list, name="course-list"),
    path("courses/new/", views.course_form, name="course-create"),
    path("courses/<int:pk>/", views.course_detail, name="course-detail"),
    path("courses/<int:pk>/edit/", views.course_form, name="course-edit"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="course-enrol"),
    path("courses/<int:pk>/results/", views.course_results, name="course-results"),
    path("enrolments/<int:pk>/", views.enrolment_result, name="enrolment-result"),
    path("services/", views.service_list, name="service-list"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/bulk/", views.service_bulk, name="service-bulk"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_form, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_form, name="plan-edit"),
    path("report/", views.field_report, name="report"),
]
