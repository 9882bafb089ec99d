from django.apps import AppConfig


class SheltersConfig(AppConfig):
    name = "shelters"
    verbose_name = "สถานคุ้มครองและผู้รับบริการ"
