"""The admins' users pages (admin role only)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create, name="create"),
    path("<str:username>/", views.user_detail, name="detail"),
    path("<str:username>/edit/", views.user_edit, name="edit"),
    path("<str:username>/active/", views.user_set_active, name="set-active"),
    path("<str:username>/password/", views.user_password, name="password"),
]
