from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from initiatives.models import Initiative


class Command(BaseCommand):
    help = (
        "export_portal で書き出したファイルを、migrate 済みで空のデータベースに読み込みます。"
        "読み込みは1つのトランザクションで行い、途中で失敗したら何も残しません。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="export_portal で書き出したファイル")

    def handle(self, *args, path, **options):
        if Initiative.objects.exists() or User.objects.exists():
            raise CommandError(
                "読み込み先のデータベースが空ではありません（取組項目またはアカウントがあります）。"
                "新しいデータベースに migrate してから実行してください。"
            )
        # The file carries the change history itself; loading rows must not add to it.
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            # migrate made the roles' groups afresh under new ids; the file carries them all,
            # with their members and permissions, so it replaces them.
            Group.objects.all().delete()
            call_command("loaddata", path, verbosity=0)
            # The index of similar proposals is derived data: built from what was loaded.
            call_command("rebuild_similarity_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"{path} を読み込みました。"))
