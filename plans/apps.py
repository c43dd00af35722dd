from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "実施計画・進捗報告"
