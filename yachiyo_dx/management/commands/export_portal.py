from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate on the receiving side, or worthless elsewhere.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    # Derived from the initiatives; import_portal rebuilds it.
    "initiatives.similarityentry",
    "initiatives.similarityposting",
    "initiatives.similarityword",
    "initiatives.similarityindexstate",
]


class Command(BaseCommand):
    help = (
        "ポータルの全データ（マスタデータ、アカウント、取組項目、審査、会議、実施計画、進捗報告、"
        "変更履歴・監査記録）を1つのファイル（XML）に書き出します。SQLiteからPostgreSQLへの移行などに使い、"
        "移行先では migrate の後に import_portal で読み込みます。添付ファイルの実体（MEDIA_ROOT）は別にコピーしてください。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="書き出すファイル（例: portal.xml）")

    def handle(self, *args, path, **options):
        call_command(
            "dumpdata",
            # XML keeps timestamps to the microsecond (Django's JSON rounds to milliseconds,
            # which would reorder events written in the same millisecond).
            format="xml",
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=False,
            indent=0,
            output=path,
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"{path} に書き出しました。"))
