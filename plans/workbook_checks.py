"""What is wrong with an uploaded workbook, and the bounds it is held to before and while it
is read (a zip bomb, a sheet of millions of rows, a page of a million problems)."""

import dataclasses
import io
import zipfile

# Bounds of an uploaded workbook, far above what a department fills in (a few hundred rows,
# tens of KB) and far below what would tie up a worker: checked before and while it is read.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_ROWS = 5_000
MAX_PROBLEMS = 100


@dataclasses.dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        if not self.row:  # about the whole file, not a cell
            return self.message
        return f"「{self.sheet}」シート {self.row}行目 {self.column}列: {self.message}"


class WorkbookRejected(Exception):
    """`problems` as listed (at most MAX_PROBLEMS and a line for the rest); `total` all of them."""

    def __init__(self, problems, total=None):
        self.problems = problems
        self.total = total or len(problems)
        super().__init__("\n".join(map(str, problems)))


def refuse(message):
    return WorkbookRejected([Problem("（ファイル）", 0, "-", message)])


def check_size(data):
    """A workbook is a zip: refuse one that is too large, or unpacks to too much, unread."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(f"ファイルが大きすぎます（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）。")
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise refuse("Excelファイル（.xlsx）として読み込めません。") from exc
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise refuse(
            "ファイルの中身が大きすぎます。ポータルからダウンロードしたファイルに記入してください。"
        )


def first(problems):
    """At most MAX_PROBLEMS, and a last line that says how many more there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        Problem("（全体）", 0, "-", f"ほかに{more:,}件の問題があります。"),
    ]
