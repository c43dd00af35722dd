from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "アカウント"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .permissions import grant_admin_permissions

        post_migrate.connect(grant_admin_permissions, dispatch_uid="grant-admin-permissions")
