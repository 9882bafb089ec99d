from django.urls import path, re_path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/file/", views.download, name="download"),
    re_path(r"^templates/(?P<kind>[a-z-]+)\.(?P<ext>xlsx|csv)$", views.template, name="template"),
]
