from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "アカウントの二段階認証をリセットします（認証アプリの登録と回復コードを削除し、ログインを終了させます）。"
        "スマートフォンをなくした管理者が、管理画面でリセットを頼める他の管理者がいないときに、サーバーの担当者が使います。"
        "次のログインで登録し直します。記録は監査ログに残ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="リセットするアカウントのユーザー名")
        parser.add_argument("--reason", default="", help="理由（監査ログに記録します）")

    def handle(self, *args, username, reason, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"ユーザー名「{username}」のアカウントはありません。")
        ended = two_factor.reset(user, actor=None, comment=reason or "reset_two_factor コマンド")
        self.stdout.write(
            f"{username} の二段階認証をリセットしました（終了させたログイン: {ended}件）。"
        )
