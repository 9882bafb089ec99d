from django.urls import path

from shelters import views

app_name = "shelters"
urlpatterns = [
    path("", views.resident_list, name="resident-list"),
    path("residents/new/", views.resident_add, name="resident-add"),
    path("residents/<int:pk>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:pk>/assess/", views.assessment_add, name="assessment-add"),
    path("residents/<int:pk>/discharge/", views.resident_discharge, name="resident-discharge"),
    path(
        "residents/<int:pk>/assessments/<int:apk>/edit/",
        views.assessment_edit,
        name="assessment-edit",
    ),
    path(
        "residents/<int:pk>/assessments/<int:apk>/delete/",
        views.assessment_delete,
        name="assessment-delete",
    ),
    path("residents/<int:pk>/discharge/edit/", views.discharge_edit, name="discharge-edit"),
    path("residents/<int:pk>/discharge/undo/", views.discharge_undo, name="discharge-undo"),
    path("irp-items/", views.irp_item_list, name="irp-item-list"),
    path("irp-items/<int:number>/edit/", views.irp_item_edit, name="irp-item-edit"),
    path("facilities/", views.facility_list, name="facility-list"),
    path("kpi/", views.kpi_detail, name="kpi"),
]
