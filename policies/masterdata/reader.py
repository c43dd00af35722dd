"""Reading a parsed file: every problem is collected with its place, instead of stopping at
the first."""

import datetime
from collections import Counter


class MasterDataError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Reader:
    """Walks the parsed file, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str):
        self.problems.append(f"{where}: {message}")

    def mapping(self, data, where):
        if not isinstance(data, dict):
            self.fail(where, "項目の並び（キー: 値）である必要があります")
            return {}
        return data

    def items(self, data, key, where, *, required=True):
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}" if where else key, "必須です")
            return []
        if not isinstance(value, list):
            self.fail(
                f"{where}.{key}" if where else key, "一覧（- で始まる行）である必要があります"
            )
            return []
        return value

    def text(self, data, key, where, *, required=True, max_length=None):
        value = data.get(key)
        place = f"{where}.{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(place, "必須です")
            return ""
        if not isinstance(value, str):
            self.fail(place, "文字列である必要があります")
            return ""
        if max_length and len(value) > max_length:
            self.fail(place, f"{max_length}文字以内である必要があります")
        return value.strip()

    def integer(self, data, key, where, *, minimum=1):
        value = data.get(key)
        place = f"{where}.{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(place, "整数である必要があります")
            return None
        if value < minimum:
            self.fail(place, f"{minimum}以上である必要があります")
        return value

    def date(self, data, key, where):
        value = data.get(key)
        place = f"{where}.{key}"
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(place, "日付（YYYY-MM-DD）である必要があります")
        return None

    def unique(self, values, where, label):
        for value, count in Counter(v for v in values if v).items():
            if count > 1:
                self.fail(where, f"{label}「{value}」が重複しています")
