"""What is wrong with an uploaded workbook, and the bounds it is held to before and while it
is read (a zip bomb, a sheet of millions of rows, a page of a million problems)."""

import dataclasses
import io
import zipfile
import zlib
from xml.etree import ElementTree

# Bounds of an uploaded workbook, far above what a department fills in (a few hundred rows,
# tens of KB) and far below what would tie up a worker: checked before and while it is read.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_ROWS = 5_000
MAX_PROBLEMS = 100
# Cells over all sheets: openpyxl builds every cell of a row it reads, so a small file holding a
# row of millions of empty cells would take gigabytes.
MAX_CELLS = 200_000
# What a part that is broken inside raises when openpyxl reads it.
UNREADABLE = (
    zipfile.BadZipFile,
    ValueError,
    KeyError,
    TypeError,
    ElementTree.ParseError,
    zlib.error,
)


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
    _check_parts(zipfile.ZipFile(io.BytesIO(data)), members)


def _check_parts(archive, members):
    """Every part unpacks (its checksum holds) and the sheets hold at most MAX_CELLS cells."""
    cells = 0
    try:
        for member in members:
            content = archive.read(member)  # checks the CRC; at most MAX_UNCOMPRESSED_BYTES
            if member.filename.startswith("xl/worksheets/"):
                cells += content.count(b"<c ") + content.count(b"<c>") + content.count(b"<c/>")
    except UNREADABLE as exc:
        raise refuse("Excelファイル（.xlsx）の中身を読み込めません。") from exc
    if cells > MAX_CELLS:
        raise refuse(
            f"セルが多すぎます（上限 {MAX_CELLS:,}個）。ポータルからダウンロードしたファイルに記入してください。"
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


def filled_rows(sheet, width):
    """(row number, values padded to `width`) of the rows that have anything in them; a sheet
    with more than MAX_ROWS of them is refused as it is read (its declared size may lie)."""
    rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
    filled = 0
    for number, values in enumerate(rows, start=2):
        values = list(values) + [None] * (width - len(values))
        if any(v not in (None, "") for v in values):
            filled += 1
            if filled > MAX_ROWS:
                raise refuse(f"「{sheet.title}」シートの行が多すぎます（上限 {MAX_ROWS:,}行）。")
            yield number, values
