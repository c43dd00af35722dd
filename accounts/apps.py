from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "アカウント"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate, pre_save

        from .permissions import grant_admin_permissions
        from .sessions import end_sessions_on_deactivation, start_clocks
        from .two_factor import note_sign_in

        post_migrate.connect(grant_admin_permissions, dispatch_uid="grant-admin-permissions")
        pre_save.connect(
            end_sessions_on_deactivation,
            sender=self.get_model("User"),
            dispatch_uid="end-sessions-on-deactivation",
        )
        user_logged_in.connect(note_sign_in, dispatch_uid="two-factor-pending")
        user_logged_in.connect(start_clocks, dispatch_uid="session-clocks")
