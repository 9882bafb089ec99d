"""The admins' users pages (filled in by the users work)."""

app_name = "accounts"
urlpatterns: list = []
