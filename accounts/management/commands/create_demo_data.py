from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import roles
from accounts.models import User
from policies.models import Department

# Demo 所属 (部 > 課). The policy names only 企画部 情報政策課; these stand in for the rest.
DEMO_DEPARTMENTS = {
    ("kikaku", "企画部"): [("joho-seisaku", "情報政策課"), ("kikaku-ka", "企画経営課")],
    ("somu", "総務部"): [("somu-ka", "総務課"), ("jinji", "人事課")],
    ("shimin", "市民部"): [("shimin-ka", "市民課"), ("hoken-nenkin", "保険年金課")],
    ("kenko-fukushi", "健康福祉部"): [("kosodate", "子育て支援課")],
    ("doboku", "都市整備部"): [("doro", "道路管理課")],
    ("gaibu", "外部委員"): [],
}

DEMO_PASSWORD = "yachiyo-demo-2025"

# username, 氏名 (姓, 名), 所属 code, roles, is_staff
DEMO_USERS = [
    ("shokuin", ("市民", "太郎"), "shimin-ka", [roles.STAFF], False),
    ("suishin", ("推進", "花子"), "shimin-ka", [roles.STAFF, roles.DX_PROMOTER], False),
    ("tanin", ("道路", "次郎"), "doro", [roles.STAFF], False),
    ("madoguchi", ("窓口", "三郎"), "hoken-nenkin", [roles.STAFF, roles.COUNTER_COMMITTEE], False),
    ("johoseisaku", ("情報", "政子"), "joho-seisaku", [roles.STAFF, roles.INFO_POLICY], False),
    ("honbu", ("本部", "長子"), "kikaku-ka", [roles.STAFF, roles.HEADQUARTERS], False),
    ("kyogikai", ("協議", "委員"), "gaibu", [roles.COUNCIL], False),
    ("kanri", ("管理", "一郎"), "joho-seisaku", [roles.STAFF, roles.ADMIN], True),
]


class Command(BaseCommand):
    help = (
        "デモ用の所属と、ロールごとのデモアカウントを作成します（make run 専用。本番では使わないでください）。"
        f"パスワードはすべて {DEMO_PASSWORD} です。何度実行しても同じ結果になります。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        order = 100
        for (code, name), children in DEMO_DEPARTMENTS.items():
            order += 1
            parent, _ = Department.objects.get_or_create(
                code=code, defaults={"name": name, "order": order}
            )
            for child_code, child_name in children:
                order += 1
                Department.objects.get_or_create(
                    code=child_code, defaults={"name": child_name, "parent": parent, "order": order}
                )
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL)}
        for username, (last, first), dept_code, role_names, is_staff in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    last_name=last,
                    first_name=first,
                    email=f"{username}@example.jp",
                    is_staff=is_staff,
                    department=Department.objects.get(code=dept_code),
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.set([groups[r] for r in role_names])
                self.stdout.write(
                    f"デモアカウントを作成しました: {username}（{'・'.join(role_names)}）"
                )
        self.stdout.write(
            self.style.SUCCESS(f"デモデータの準備ができました（パスワード: {DEMO_PASSWORD}）。")
        )
