from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import memberships
from policies.masterdata import MasterDataError, load, read_file


class Command(BaseCommand):
    help = (
        "市のマスタデータ（名称・事務局・流れ・方針の版・基本方針・取組例・チェックリスト・抽出経路・"
        "会議体とその委員・所属・総合計画・用語解説）をYAML/JSONファイルから読み込みます。"
        "何度実行しても同じ結果になり、誤りのあるファイルは全体を拒否して何も書き込みません。"
        "委員（members）はユーザー名で書き、アカウントが先に必要です。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="マスタデータのファイル（例: data/yachiyo.yaml）")

    def handle(self, *args, path, **options):
        try:
            with transaction.atomic():
                data = read_file(path)
                result = load(data)
                added = memberships.load(data)
        except MasterDataError as exc:
            raise CommandError(
                "マスタデータを読み込めませんでした（何も書き込んでいません）:\n"
                + "\n".join(f"  - {p}" for p in exc.problems)
            ) from exc
        if not result.changed and not added:
            self.stdout.write("変更はありません（読み込み済みの内容と同じです）。")
            return
        for label, counter in (("追加", result.created), ("更新", result.updated)):
            for name, count in counter.items():
                self.stdout.write(f"{label}: {name} {count}件")
        if added:
            self.stdout.write(f"追加: 委員・事務局の所属 {added}件")
        self.stdout.write(self.style.SUCCESS("マスタデータを読み込みました。"))
