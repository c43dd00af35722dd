"""Rebuild the stored index of similar proposals from the initiatives in the database.

The services keep the index in step as proposals are saved, submitted, withdrawn and
consolidated; this is for data that arrived around them (an import, a restore, generated data)
and after a change of the ranking's words (a new dictionary, stop words or thesaurus), which
`--if-stale` finds by itself at every deploy.
"""

import time

from django.core.management.base import BaseCommand

from initiatives import similarity_index
from initiatives.models import SimilarityEntry


class Command(BaseCommand):
    help = "類似提案の索引を、データベースの取組項目から作り直します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="索引が空のときだけ作ります。",
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="索引がないか、語の扱い（辞書・除く語・言い換え）が作成時から変わったときだけ"
            "作り直します（デプロイのたびに呼べます）。",
        )

    def handle(self, *args, if_empty=False, if_stale=False, **options):
        if if_empty and SimilarityEntry.objects.exists():
            self.stdout.write("類似提案の索引はすでにあります。")
            return
        if if_stale and similarity_index.is_current():
            self.stdout.write("類似提案の索引は最新です。")
            return
        started = time.perf_counter()
        n = similarity_index.rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"類似提案の索引を作り直しました（{n}件、{seconds:.1f}秒）。")
        )
