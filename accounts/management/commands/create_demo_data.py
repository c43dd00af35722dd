from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles
from accounts.models import User
from policies.models import Body, Channel, Department, Municipality

DEMO_PASSWORD = "yachiyo-demo-2025"

# username, 氏名 (姓, 名), what the account does. The 所属 and bodies come from the loaded
# city: the first of its 課 for a member of staff and the promoter, the next ones for a
# committee member, staff of another department and an HQ member; the secretariat's own 所属
# for the secretariat and the administrator; no 所属 for the external council member.
DEMO_USERS = [
    ("shokuin", ("市民", "太郎"), "staff", 0),
    ("suishin", ("推進", "花子"), "promoter", 0),
    ("madoguchi", ("窓口", "三郎"), "committee", 1),
    ("tanin", ("道路", "次郎"), "staff", 2),
    ("honbu", ("本部", "長子"), "headquarters", 3),
    ("johoseisaku", ("情報", "政子"), "secretariat", None),
    ("kyogikai", ("協議", "委員"), "council", None),
    ("kanri", ("管理", "一郎"), "admin", None),
]


class Command(BaseCommand):
    help = (
        "読み込んだ市のマスタデータ（所属・会議体・事務局）から、役割ごとのデモアカウントを作成します"
        "（make run 専用。本番では使わないでください）。先に load_master_data を実行します。"
        f"パスワードはすべて {DEMO_PASSWORD} です。何度実行しても同じ結果になります。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        municipality = Municipality.objects.order_by("pk").first()
        if municipality is None:
            raise CommandError("先に load_master_data で市のマスタデータを読み込んでください。")
        secretariat_department = municipality.secretariat_department
        departments = list(
            Department.objects.active()
            .filter(children__isnull=True)
            .exclude(pk=getattr(secretariat_department, "pk", None))
            .order_by("order", "code")
        )
        if not departments:
            raise CommandError(
                "デモアカウントを置く所属がありません。マスタデータに所属を加えてください。"
            )
        home = secretariat_department or departments[0]
        bodies = {b.kind: b for b in Body.objects.order_by("-order", "-pk")}
        committees = list(
            Body.objects.filter(pk__in=Channel.objects.values("committee")).order_by("order")
        )
        for username, (last, first), function, index in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            department = departments[index % len(departments)] if index is not None else home
            if function == "council":
                if roles.COUNCIL not in bodies:
                    continue  # the city has no body that gives opinions
                department = None
            user = User(
                username=username,
                last_name=last,
                first_name=first,
                email=f"{username}@example.jp",
                department=department,
                is_staff=function == "admin",
                dx_promoter=function == "promoter",
                in_secretariat=function == "secretariat",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if function in (roles.COUNCIL, roles.HEADQUARTERS):
                user.bodies.add(bodies[function])
            elif function == "committee":
                user.bodies.add(*committees)
            elif function == "admin":
                user.groups.add(Group.objects.get(name=roles.ADMIN_GROUP))
            where = department.full_name if department else "所属なし（外部の委員）"
            self.stdout.write(f"デモアカウントを作成しました: {username}（{where}）")
        self.stdout.write(
            self.style.SUCCESS(f"デモデータの準備ができました（パスワード: {DEMO_PASSWORD}）。")
        )
