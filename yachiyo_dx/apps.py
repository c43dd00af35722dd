from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    """The project itself: settings, root URLs, the pages that need every app, and the hooks
    that put what Django's admin and login do into the one audit log."""

    name = "yachiyo_dx"
    verbose_name = "ポータル"

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_save

        from . import audit_hooks

        post_save.connect(audit_hooks.admin_change, sender=LogEntry, dispatch_uid="audit-admin")
        user_login_failed.connect(audit_hooks.login_failed, dispatch_uid="audit-login-failed")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by the portal's own site class (yachiyo_dx.admin_site)."""

    default = False  # PortalConfig is this module's app; this one is named in INSTALLED_APPS
    default_site = "yachiyo_dx.admin_site.PortalAdminSite"
