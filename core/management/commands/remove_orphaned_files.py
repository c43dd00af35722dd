import datetime

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import StoredFile


def stored_file_models():
    return [m for m in apps.get_models() if issubclass(m, StoredFile) and m.folder]


def referenced_names():
    """The names of every stored file some record points at, across all StoredFile models."""
    names = set()
    for model in stored_file_models():
        names |= set(model.objects.values_list("file", flat=True))
    return names


def stored_names(storage, folder):
    """Every file under `folder` (only the uploads' own folders are ever walked)."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, PermissionError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_names(storage, f"{folder}/{sub}")


def _age(storage, name):
    try:
        return storage.get_modified_time(name)
    except FileNotFoundError:  # removed while the walk went on
        return None


class Command(BaseCommand):
    help = (
        "どの記録からも参照されていない添付ファイル（保存の途中で処理が中断した場合などに残るもの）を、"
        "指定した時間より古いものだけ削除します。日次ジョブで実行します。--dry-run で一覧だけを表示します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="これより古いファイルだけを対象にする（既定 24）"
        )
        parser.add_argument("--dry-run", action="store_true", help="削除せずに一覧を表示する")

    def handle(self, *args, hours, dry_run, **options):
        # A file younger than this may belong to an upload whose transaction is still open.
        cutoff = timezone.now() - datetime.timedelta(hours=hours)
        referenced = referenced_names()
        names = [n for m in stored_file_models() for n in stored_names(default_storage, m.folder)]
        orphans = [
            name
            for name in names
            if name not in referenced and (_age(default_storage, name) or cutoff) < cutoff
        ]
        for name in orphans:
            if not dry_run:
                default_storage.delete(name)
            self.stdout.write(name)
        verb = "見つかりました（削除していません）" if dry_run else "削除しました"
        self.stdout.write(self.style.SUCCESS(f"参照されていないファイルが{len(orphans)}件{verb}。"))
