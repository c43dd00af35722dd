"""Uploaded workbooks are bounded before and while they are read (issue 15): hostile files,
generated here, are refused with a message; the test asserts the refusal, never a timing."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import workbook_checks, workbooks
from plans.models import ProgressReport

pytestmark = pytest.mark.django_db


def post(client, user, data, name="filled.xlsx"):
    client.force_login(user)
    return client.post(
        reverse("plans:reports_upload"), {"workbook": SimpleUploadedFile(name, data)}
    )


def workbook_bytes(rows=0, width=1, value="x"):
    """A workbook with the two sheets the portal reads, `rows` filled rows in the first."""
    book = openpyxl.Workbook(write_only=True)
    reports = book.create_sheet(workbooks.REPORTS)
    reports.append(["見出し"])
    for _ in range(rows):
        reports.append([value] * width)
    book.create_sheet(workbooks.KPIS).append(["見出し"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_member(data, name, size):
    """The workbook with one more part that unpacks to `size` bytes (a zip bomb in small)."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * size)
    return buffer.getvalue()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, proposer):
    response = post(client, proposer, b"\0" * (workbook_checks.MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 200
    assert "ファイルが大きすぎます" in response.content.decode()


def test_a_workbook_that_unpacks_to_too_much_is_refused(client, proposer):
    bomb = with_member(
        workbook_bytes(), "xl/sharedStrings2.xml", workbook_checks.MAX_UNCOMPRESSED_BYTES
    )
    assert len(bomb) < workbook_checks.MAX_UPLOAD_BYTES  # small on the wire
    response = post(client, proposer, bomb)
    assert "ファイルの中身が大きすぎます" in response.content.decode()


def test_a_sheet_with_too_many_rows_is_refused_as_it_is_read(client, proposer):
    response = post(client, proposer, workbook_bytes(rows=workbook_checks.MAX_ROWS + 10))
    html = response.content.decode()
    assert "行が多すぎます" in html and f"{workbook_checks.MAX_ROWS:,}行" in html
    assert "0行目" not in html  # about the file, not a cell


def test_the_problems_listed_are_capped(client, proposer):
    response = post(client, proposer, workbook_bytes(rows=300, width=3))
    html = response.content.decode()
    assert html.count("<li") < workbook_checks.MAX_PROBLEMS + 40  # the page's own lists aside
    assert "ほかに" in html and "件の問題があります" in html
    assert "（101件の問題があります）" not in html  # the heading counts them all
    assert not ProgressReport.objects.exists()


def test_not_a_zip_is_refused_in_japanese(client, proposer):
    response = post(client, proposer, b"PK\x03\x04 not really a workbook")
    assert "Excelファイル（.xlsx）として読み込めません" in response.content.decode()


def test_a_sheet_of_millions_of_empty_cells_is_refused_before_it_is_read(client, proposer):
    """A small file whose row holds more cells than any department's sheet: refused unread."""
    bomb = workbook_bytes()
    buffer = io.BytesIO(bomb)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet9.xml", b"<c/>" * (workbook_checks.MAX_CELLS + 1))
    response = post(client, proposer, buffer.getvalue())
    assert "セルが多すぎます" in response.content.decode()


def test_a_part_that_does_not_unpack_is_refused_not_a_500(client, proposer):
    buffer = io.BytesIO(workbook_bytes())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/note.bin", b"UNIQUE-MARKER-0123456789")
    broken = buffer.getvalue().replace(b"UNIQUE-MARKER", b"UNIQUE-MARKEX")  # CRC no longer holds
    response = post(client, proposer, broken)
    assert response.status_code == 200
    assert "中身を読み込めません" in response.content.decode()
