"""Attachment checks: the type is read from the content, not trusted from the name."""

import contextlib
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt container

# extension -> (content type, how to recognise the content)
ALLOWED = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpg"),
    ".jpeg": ("image/jpeg", "jpg"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
    ".csv": ("text/csv", "text"),
}
ALLOWED_LABEL = "PDF、Word、Excel、PowerPoint、CSV、PNG、JPEG"
# A file's name travels in its part's header, which Django's parser caps at 1,024 bytes
# (MAX_TOTAL_HEADER_SIZE, kept: it bounds what is read before a part is known). After the
# header's own text about 870 bytes are left: 200 characters fit even at 4 bytes each, and
# fit original_name (255) without Django's silent shortening of longer names.
MAX_NAME_CHARS = 200
NAME_TOO_LONG = (
    f"ファイル名が長すぎます（{MAX_NAME_CHARS}文字まで）。名前を短くしてから選び直してください。"
)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp932"):
        try:
            # A multi-byte character may be cut at the end of the sample.
            head.decode(encoding) if len(head) < 8192 else head[:-4].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _matches(upload, how: str, head: bytes) -> bool:
    if how == "text":
        return filetype.guess(head) is None and _is_text(head)
    if how == "ole":
        return head.startswith(OLE_MAGIC)
    if how.endswith("/"):  # Office Open XML: a zip with the application's part inside
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(how) for n in names)
    kind = filetype.guess(head)
    return kind is not None and kind.extension == how


def check_upload(upload) -> str:
    """Validate one uploaded file; return its content type or raise ValidationError."""
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(
            f"「{name}」は登録できない種類のファイルです。登録できるのは{ALLOWED_LABEL}です。"
        )
    if upload.size == 0:
        raise ValidationError(f"「{name}」は空のファイルです。")
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"「{name}」は{filesizeformat(upload.size)}あります。1ファイル{filesizeformat(limit)}までです。"
        )
    content_type, how = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not _matches(upload, how, head):
        raise ValidationError(
            f"「{name}」の内容が拡張子（{suffix}）と一致しません。正しいファイルか確認してください。"
        )
    return content_type


class _Batch:
    def __init__(self):
        self.written = []

    def store(self, record, upload, actor):
        """Write `upload` as the file of `record` (an unsaved attachment row) and save it."""
        record.original_name = upload.name[:255]
        record.content_type = upload.detected_type
        record.size = upload.size
        record.uploaded_by = actor
        record.file.save(upload.name, upload, save=False)
        self.written.append((record.file.storage, record.file.name))
        record.save()
        return record


@contextlib.contextmanager
def stored_uploads():
    """Files written inside the block are deleted again if the block fails.

    Wrap it around the transaction: the database rolls back its rows, this takes back the files
    they would have pointed to, so a failed save leaves neither.
    """
    batch = _Batch()
    try:
        yield batch
    except BaseException:
        for storage, name in batch.written:
            storage.delete(name)
        raise


def download_response(stored):
    """A stored file as a download: always an attachment, never sniffed into something else."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
