import getpass
import os

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles
from accounts.management.commands.create_demo_data import DEMO_PASSWORD
from accounts.models import User
from policies.models import Department


class Command(BaseCommand):
    help = (
        "最初の管理者アカウントを作成します（管理画面に入れるスーパーユーザーで、管理者ロールを持ちます）。"
        "パスワードは2回入力します。--no-input のときは環境変数 DX_ADMIN_PASSWORD から読みます。"
        "既定のパスワードはなく、パスワードの規則（12文字以上、よく使われるものは不可）を満たす必要があります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="ユーザー名")
        parser.add_argument("--email", required=True, help="メールアドレス")
        parser.add_argument("--department", required=True, help="所属の識別子（例: joho-seisaku）")
        parser.add_argument("--last-name", default="", help="姓（任意）")
        parser.add_argument("--first-name", default="", help="名（任意）")
        parser.add_argument(
            "--no-input", action="store_true", help="対話せず、DX_ADMIN_PASSWORD を使う"
        )

    def handle(self, *args, username, email, department, last_name, first_name, no_input, **opts):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(
                f"所属「{department}」がありません。先に load_master_data でマスタデータを読み込んでください。"
            )
        if User.objects.filter(username=username).exists():
            raise CommandError(f"ユーザー名「{username}」は既に使われています。")
        user = User(
            username=username,
            email=email,
            department=dept,
            last_name=last_name,
            first_name=first_name,
            is_staff=True,
            is_superuser=True,
        )
        password = self._password(no_input)
        if not password or password == DEMO_PASSWORD:
            raise CommandError("パスワードを指定してください（既定のパスワードは使えません）。")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("パスワードが規則を満たしません: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.set(Group.objects.filter(name=roles.ADMIN_GROUP))
        self.stdout.write(self.style.SUCCESS(f"管理者「{username}」を作成しました。"))

    def _password(self, no_input):
        if no_input:
            return os.environ.get("DX_ADMIN_PASSWORD", "")
        first = getpass.getpass("パスワード: ")
        if first != getpass.getpass("パスワード（確認）: "):
            raise CommandError("2回入力したパスワードが一致しません。")
        return first
