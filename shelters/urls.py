app_name = "shelters"
urlpatterns: list = []
