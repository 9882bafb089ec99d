from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("new/", views.dataset_edit, name="create"),
    path("<int:pk>/", views.dataset_detail, name="detail"),
    path("<int:pk>/edit/", views.dataset_edit, name="edit"),
    path("dcat.jsonld", views.dcat_catalog, name="dcat"),
]
