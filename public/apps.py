from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "市民向け公開"
