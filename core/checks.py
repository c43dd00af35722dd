"""Deployment checks of the portal's own (`manage.py check --deploy`, run by `make serve`)."""

from django.conf import settings
from django.core.checks import Warning


def shared_cache(app_configs, **kwargs):
    """The shared values (core.cache) are invalidated in the cache itself: in each process's
    memory, a change made through one gunicorn worker is not seen by the others until the value
    expires."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            "The cache is each process's memory: a change made through one app server worker "
            "shows in the others only after up to 10 minutes.",
            hint="Set CACHE_URL to a Redis that every worker and app server shares "
            "(docs/production.md, CACHE_URL).",
            id="core.W001",
        )
    ]
