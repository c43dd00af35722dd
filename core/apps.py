from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通基盤"

    def ready(self):
        from . import cache

        cache.connect()

        from . import lookups

        lookups.register()
