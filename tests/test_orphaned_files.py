"""A file left on disk by an upload whose transaction died is removed a day later (issue 15)."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from initiatives.models import Attachment

from .factories import make_initiative

pytestmark = pytest.mark.django_db


def aged(name, hours):
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_old_orphans_go_young_ones_and_referenced_files_stay(settings, tmp_path, proposer):
    settings.MEDIA_ROOT = tmp_path
    item = make_initiative(proposer)
    kept = Attachment.objects.create(
        initiative=item,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        original_name="a.pdf",
        size=8,
        content_type="application/pdf",
        uploaded_by=proposer,
    )
    aged(kept.file.name, 48)
    old = default_storage.save(f"attachments/{item.pk}/orphan.pdf", ContentFile(b"x"))
    aged(old, 48)
    young = default_storage.save(f"attachments/{item.pk}/uploading.pdf", ContentFile(b"y"))
    other = default_storage.save("exports/kept-by-someone-else.csv", ContentFile(b"z"))
    aged(other, 48)  # outside the uploads' folders: never walked

    out = io.StringIO()
    call_command("remove_orphaned_files", "--dry-run", stdout=out)
    assert old in out.getvalue() and default_storage.exists(old)

    call_command("remove_orphaned_files", stdout=io.StringIO())
    assert not default_storage.exists(old)
    assert default_storage.exists(young) and default_storage.exists(kept.file.name)
    assert default_storage.exists(other)
