from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "アカウント"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_save

        from .permissions import grant_admin_permissions
        from .sessions import end_sessions_on_deactivation

        post_migrate.connect(grant_admin_permissions, dispatch_uid="grant-admin-permissions")
        pre_save.connect(
            end_sessions_on_deactivation,
            sender=self.get_model("User"),
            dispatch_uid="end-sessions-on-deactivation",
        )
