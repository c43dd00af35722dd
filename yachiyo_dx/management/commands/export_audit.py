import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import AuditEvent
from core.spreadsheets import csv_lines

HEADER = ["日時", "種別", "実行者ID", "実行者", "対象", "対象ID", "変更前", "変更後", "コメント"]


def _json(values):
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else ""


def rows(start=None, end=None):
    """The audit log, oldest first, one CSV row per event (streamed in chunks)."""
    events = AuditEvent.objects.select_related("content_type").order_by("created_at", "pk")
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lte=end)
    yield HEADER
    for e in events.iterator(chunk_size=1000):
        kind = e.content_type.name if e.content_type else ""
        yield [
            timezone.localtime(e.created_at).isoformat(timespec="seconds"),
            e.action_label,
            e.actor_id or "",
            e.actor_name,
            f"{kind}: {e.object_repr}" if kind else e.object_repr,
            e.object_id or "",
            _json(e.before),
            _json({**e.after, **({"関連": e.context} if e.context else {})}),
            e.comment,
        ]


class Command(BaseCommand):
    help = (
        "情報セキュリティ責任者向けの監査記録をCSV（UTF-8 BOM付き）で書き出します: 取組項目の作成・編集・状態遷移、"
        "審査・取りまとめ、会議・意見・決定の記録、実施計画・進捗報告、公開の設定、所属の移管、"
        "管理画面での変更、ログインの失敗。--since/--until で期間（YYYY-MM-DD）を指定できます。"
        "Excelで開いても数式として動かないよう、=・+・-・@ で始まる値には ' を付けます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="この日以降（YYYY-MM-DD）")
        parser.add_argument("--until", help="この日まで（YYYY-MM-DD）")
        parser.add_argument("--output", "-o", help="書き出すファイル（省略時は標準出力）")

    def handle(self, *args, since, until, output, **options):
        try:
            start = _day(since, datetime.time.min)
            end = _day(until, datetime.time.max)
        except ValueError as exc:
            raise CommandError("日付は YYYY-MM-DD で指定してください。") from exc
        count = -1  # the header
        stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
        try:
            for line in csv_lines(rows(start, end)):
                stream.write(line)
                count += 1
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"{count}件を {output} に書き出しました。")


def _day(value, time):
    if not value:
        return None
    day = datetime.date.fromisoformat(value)
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
