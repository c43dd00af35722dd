from django.apps import AppConfig


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
