"""What the portal writes for spreadsheets (CSV and xlsx), in one place.

Every cell of text goes through `cell`, so that a value typed by someone (a title, a comment,
a user name) can never become a live formula in the file another person opens in Excel.
"""

import csv
import tempfile

from openpyxl import Workbook

BOM = "\ufeff"  # Excel in Japan opens UTF-8 as such only with it
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """Keep a spreadsheet from reading text as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


def cells(values):
    return [cell(v) for v in values]


def un_cell(text: str) -> str:
    """Undo `cell` on text read back from a workbook the portal wrote."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows):
    """CSV text, line by line, BOM first; None is written as an empty cell."""
    writer = csv.writer(_Echo())
    first = True
    for row in rows:
        line = writer.writerow(["" if v is None else cell(v) for v in row])
        yield (BOM + line) if first else line
        first = False


_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return (title or "Sheet").translate(_SHEET_FORBIDDEN).strip("'")[:31] or "Sheet"


def xlsx_file(sheets):
    """A workbook in openpyxl's write-only mode (constant memory), in a temporary file.

    `sheets` is [(title, rows)]; rows are lists of values. The caller hands the open file to
    a FileResponse, which closes it.
    """
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        for row in rows:
            sheet.append(cells(row))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
