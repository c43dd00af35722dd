import csv
import datetime
import sys

from django.contrib.admin.models import LogEntry
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from initiatives.models import OwnershipTransfer, ReportEvent, Transition
from reviews.models import Decision, Opinion

HEADER = ["日時", "種別", "実行者ID", "実行者", "対象", "対象ID", "変更前", "変更後", "コメント"]


class Command(BaseCommand):
    help = (
        "情報セキュリティ責任者向けの監査記録をCSV（UTF-8 BOM付き）で書き出します: 取組項目の状態遷移、"
        "進捗報告の確認・差戻し、意見・決定の記録、所属の移管、管理画面での変更、ログインの失敗。"
        "--since/--until で期間（YYYY-MM-DD）を指定できます。"
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
        rows = sorted(self._rows(start, end), key=lambda r: r[0])
        stream = open(output, "w", encoding="utf-8-sig", newline="") if output else sys.stdout  # noqa: SIM115
        try:
            if not output:
                stream.write("\ufeff")
            writer = csv.writer(stream)
            writer.writerow(HEADER)
            for row in rows:
                writer.writerow(
                    [timezone.localtime(row[0]).isoformat(timespec="seconds"), *row[1:]]
                )
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"{len(rows)}件を {output} に書き出しました。")

    def _rows(self, start, end):
        def within(qs, field):
            if start:
                qs = qs.filter(**{f"{field}__gte": start})
            if end:
                qs = qs.filter(**{f"{field}__lte": end})
            return qs

        for t in within(Transition.objects.select_related("initiative"), "created_at"):
            yield (
                t.created_at,
                "取組項目の状態遷移",
                t.actor_id,
                t.actor_name,
                t.initiative.title,
                t.initiative_id,
                t.get_from_status_display(),
                t.get_to_status_display(),
                t.comment,
            )
        for e in within(
            ReportEvent.objects.select_related("report__entry__initiative"), "created_at"
        ):
            yield (
                e.created_at,
                "進捗報告",
                e.actor_id,
                e.actor_name,
                e.report.entry.initiative.title,
                e.report_id,
                e.get_from_status_display(),
                e.get_to_status_display(),
                e.comment,
            )
        for o in within(
            Opinion.objects.select_related("recorded_by", "agenda_item__initiative"), "recorded_at"
        ):
            yield (
                o.recorded_at,
                "意見・提言の記録",
                o.recorded_by_id,
                o.recorded_by.display_name,
                o.agenda_item.initiative.title,
                o.agenda_item.initiative_id,
                "",
                "",
                "",
            )
        for d in within(
            Decision.objects.select_related("recorded_by", "agenda_item__initiative"), "recorded_at"
        ):
            yield (
                d.recorded_at,
                "決定の記録",
                d.recorded_by_id,
                d.recorded_by.display_name,
                d.agenda_item.initiative.title,
                d.agenda_item.initiative_id,
                "",
                d.get_outcome_display(),
                d.reason,
            )
        for m in within(
            OwnershipTransfer.objects.select_related("source", "target", "actor"), "created_at"
        ):
            yield (
                m.created_at,
                "所属の移管",
                m.actor_id,
                m.actor.display_name,
                str(m.source),
                m.source_id,
                str(m.source),
                str(m.target),
                m.reason,
            )
        for log in within(LogEntry.objects.select_related("user", "content_type"), "action_time"):
            yield (
                log.action_time,
                "管理画面での変更",
                log.user_id,
                log.user.display_name,
                f"{log.content_type.name if log.content_type else ''}: {log.object_repr}",
                log.object_id,
                "",
                log.get_action_flag_display(),
                log.get_change_message(),
            )
        try:
            from axes.models import AccessFailureLog
        except ImportError:  # pragma: no cover - axes is a dependency
            return
        for f in within(AccessFailureLog.objects.all(), "attempt_time"):
            yield (
                f.attempt_time,
                "ログイン失敗",
                "",
                f.username or "",
                f.ip_address or "",
                "",
                "",
                "ロック" if f.locked_out else "",
                f.path_info,
            )


def _day(value, time):
    if not value:
        return None
    day = datetime.date.fromisoformat(value)
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
