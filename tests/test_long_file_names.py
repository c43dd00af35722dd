"""A file name too long for the multipart parser is explained in Japanese, not a bare 400.

Django refuses a part header over 1,024 bytes before any view runs; a 324-character Japanese
name (972 bytes in UTF-8) is past it. The test client shortens long names itself (to 255
characters), so these bodies are built by hand, as a browser sends them.
"""

from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import MAX_NAME_CHARS
from initiatives.models import Attachment, Initiative

from .test_intake import PDF, form_data

pytestmark = pytest.mark.django_db
BOUNDARY = "----PortalBoundary7MA4YWxkTrZu0gW"
MESSAGE = (
    f"ファイル名が長すぎます（{MAX_NAME_CHARS}文字まで）。名前を短くしてから選び直してください。"
)


def multipart(disposition: bytes) -> bytes:
    return b"".join(
        [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n'.encode(),
            "長い名前の資料\r\n".encode(),
            f"--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="new_files"; ' + disposition + b"\r\n",
            b"Content-Type: application/pdf\r\n\r\n",
            PDF + b"\x00" * 4096,  # more than one header chunk follows, as with any real file
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


LONG_NAME = "会" * 320 + ".pdf"  # 324 characters


@pytest.mark.parametrize(
    "disposition",
    [
        f'filename="{LONG_NAME}"'.encode(),  # as browsers send it: raw UTF-8
        f"filename*=UTF-8''{quote(LONG_NAME)}".encode(),  # percent-encoded (RFC 5987)
    ],
    ids=["raw", "percent-encoded"],
)
def test_a_324_character_name_gets_a_japanese_answer_and_the_way_back(
    client, proposer, disposition
):
    client.force_login(proposer)
    form_page = "http://testserver" + reverse("initiatives:create")
    response = client.generic(
        "POST",
        reverse("initiatives:create"),
        multipart(disposition),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_REFERER=form_page,
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert MESSAGE in html
    assert f'href="{form_page}"' in html  # back to the form, not only home
    assert not Initiative.objects.exists() and not Attachment.objects.exists()


def test_the_way_back_never_leads_off_the_site(client, proposer):
    client.force_login(proposer)
    response = client.generic(
        "POST",
        reverse("initiatives:create"),
        multipart(f'filename="{LONG_NAME}"'.encode()),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_REFERER="https://evil.example/phish",
    )
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_a_name_the_parser_takes_but_too_long_to_keep_is_refused_by_the_form(client, proposer):
    client.force_login(proposer)
    data = form_data(title="入力を残す")
    data["new_files"] = [SimpleUploadedFile("会" * (MAX_NAME_CHARS - 3) + ".pdf", PDF)]
    response = client.post(reverse("initiatives:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert MESSAGE in html and 'value="入力を残す"' in html
    assert not Initiative.objects.exists() and not Attachment.objects.exists()
    data["new_files"] = [SimpleUploadedFile("会" * (MAX_NAME_CHARS - 4) + ".pdf", PDF)]
    assert client.post(reverse("initiatives:create"), data).status_code == 302
    assert len(Attachment.objects.get().original_name) == MAX_NAME_CHARS


def test_other_bad_requests_keep_the_plain_page(client, proposer):
    client.force_login(proposer)
    response = client.generic(
        "POST",
        reverse("initiatives:create"),
        b"--x\r\n",
        content_type="multipart/form-data; boundary=\u00e9",
    )
    assert response.status_code == 400
    assert "リクエストが正しくありません" in response.content.decode()


@pytest.mark.parametrize("url", ["initiatives:create", "plans:reports_upload"])
def test_the_file_inputs_warn_before_sending(client, proposer, url):
    """Progressive enhancement: the script refuses a long name when it is chosen."""
    client.force_login(proposer)
    html = client.get(reverse(url)).content.decode()
    assert f'data-max-name-chars="{MAX_NAME_CHARS}"' in html
    assert 'src="/static/js/file-names.js"' in html
    assert finders.find("js/file-names.js")
