from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通基盤"

    def ready(self):
        from django.core import checks

        from . import cache
        from .checks import shared_cache

        cache.connect()
        checks.register(shared_cache, checks.Tags.caches, deploy=True)

        from . import lookups

        lookups.register()
