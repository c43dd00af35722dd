import yaml
from django.core.management.base import BaseCommand, CommandError

from policies.masterdata.dump import edition_data
from policies.models import PolicyEdition


class Command(BaseCommand):
    help = (
        "方針の版を、マスタデータのファイル（editions の1項目）と同じ形のYAMLで書き出します。"
        "管理画面で作った版を市のファイルに加えると、そのファイルを読み込んでも同じ記録のままです。"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="版の識別子（例: yachiyo-dx-2023）")

    def handle(self, *args, code, **options):
        edition = PolicyEdition.objects.filter(code=code).first()
        if edition is None:
            raise CommandError(f"識別子「{code}」の版はありません。")
        text = yaml.safe_dump([edition_data(edition)], allow_unicode=True, sort_keys=False)
        self.stdout.write(text)
