from django.core.management.base import BaseCommand
from django.utils import timezone

from plans.services import send_reminders


class Command(BaseCommand):
    help = (
        "提出期限を過ぎた進捗報告について、担当課の推進役（DX推進員など）と提案者に督促メールを送ります。"
        "毎日1回実行してください（同じ報告への督促は7日に1回までです）。"
    )

    def handle(self, *args, **options):
        sent = send_reminders(timezone.localdate())
        self.stdout.write(f"督促を{sent}件送りました。")
