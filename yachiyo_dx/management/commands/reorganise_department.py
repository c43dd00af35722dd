from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from policies.models import Department
from yachiyo_dx import reorganisation


class Command(BaseCommand):
    help = (
        "4月の組織改正を反映します。--rename で所属の名称を変更し（履歴は残ります）、"
        "--retire で所属を廃止して取組項目・実施計画の担当を --successor の所属へ移管します"
        "（移管の記録が残り、何も削除されません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("department", help="対象の所属の識別子")
        parser.add_argument("--actor", required=True, help="実行する管理者のユーザー名")
        parser.add_argument("--rename", metavar="NAME", help="新しい名称")
        parser.add_argument("--retire", action="store_true", help="所属を廃止して移管する")
        parser.add_argument("--successor", metavar="CODE", help="移管先の所属の識別子")
        parser.add_argument(
            "--move-users", action="store_true", help="所属のアカウントも移管先へ異動させる"
        )
        parser.add_argument("--reason", default="", help="理由（廃止のときは必須）")

    def handle(self, *args, **o):
        department = Department.objects.filter(code=o["department"]).first()
        actor = get_user_model().objects.filter(username=o["actor"], is_superuser=True).first()
        if department is None:
            raise CommandError(f"所属「{o['department']}」がありません。")
        if actor is None:
            raise CommandError(f"管理者「{o['actor']}」がありません。")
        try:
            if o["rename"]:
                reorganisation.rename(department, actor=actor, name=o["rename"])
                self.stdout.write(f"名称を「{o['rename']}」に変更しました。")
            if o["retire"]:
                successor = Department.objects.filter(code=o["successor"] or "").first()
                if successor is None:
                    raise CommandError("--successor に移管先の所属の識別子を指定してください。")
                record = reorganisation.retire(
                    department,
                    actor=actor,
                    successor=successor,
                    reason=o["reason"],
                    move_users=o["move_users"],
                )
                moved = record.context
                self.stdout.write(
                    f"廃止しました。取組項目{len(moved['initiatives'])}件、位置付け{len(moved['plan_entries'])}件、"
                    f"アカウント{len(moved['users'])}件を{successor.full_name}へ移管しました。"
                )
        except reorganisation.ReorganisationError as exc:
            raise CommandError(str(exc)) from exc
