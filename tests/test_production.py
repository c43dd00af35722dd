"""The production guide followed on a clean PostgreSQL database, and two app servers sharing it.

Runs in CI's PostgreSQL pass (skipped on SQLite: the guide is for PostgreSQL): creates a
database as docs/production.md says, migrates, loads the master data, creates the
administrator, starts two gunicorn instances on different ports, logs in through one and proves
the session and an uploaded attachment are seen through the other.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "a long admin pass phrase 2026"

pytestmark = pytest.mark.django_db


def _pg():
    if connection.vendor != "postgresql":
        pytest.skip("the production guide is for PostgreSQL; this runs in CI's PostgreSQL pass")
    return urlparse(os.environ["DATABASE_URL"])


@pytest.fixture
def production_database():
    url = _pg()
    name = f"dx_guide_{secrets.token_hex(4)}"
    base = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    # As docs/production.md: UTF-8 with a C.UTF-8 collation so Japanese search works.
    subprocess.run(
        ["createdb", *base, "--encoding=UTF8", "--locale=C.UTF-8", "--template=template0", name],
        check=True,
        capture_output=True,
        text=True,
    )
    yield f"postgres://{url.username or 'postgres'}@{url.hostname}:{url.port or 5432}/{name}"
    subprocess.run(["dropdb", *base, "--force", name], capture_output=True)


def _env(database_url, media_root):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        DATABASE_URL=database_url,
        DEBUG=os.environ.get("PRODTEST_DEBUG", "0"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="http://127.0.0.1:18101,http://127.0.0.1:18102",
        # A plain-HTTP trial on the loopback: no TLS in front of the test servers.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(media_root),
        DX_ADMIN_PASSWORD=PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def gunicorn(env, port):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "yachiyo_dx.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_ready(request, base, process):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode())
        try:
            if request.get(f"{base}/readyz").status == 200:
                return
        except Exception:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{base} did not become ready")


def csrf_token(request):
    return next(c["value"] for c in request.storage_state()["cookies"] if c["name"] == "csrftoken")


def login(request, base, username, password):
    page = request.get(f"{base}/accounts/login/")
    token = csrf_token(request)
    assert page.ok
    response = request.post(
        f"{base}/accounts/login/",
        form={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/",
        },
        max_redirects=0,
    )
    assert response.status == 302, response.text()
    return csrf_token(request)  # Django rotates the token at login


def enrol_second_factor(request, base):
    """The first administrator's first sign-in asks for an authenticator app, as the guide says:
    read the key from the page and answer with its code."""
    import base64
    import re

    from django_otp.oath import TOTP

    page = request.get(f"{base}/accounts/two-factor/setup/")
    assert page.ok and "二段階認証の登録" in page.text()
    key = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page.text())[1]
    key = key.replace(" ", "")
    code = TOTP(base64.b32decode(key + "=" * (-len(key) % 8))).token()
    done = request.post(
        f"{base}/accounts/two-factor/setup/",
        form={"code": f"{code:06d}", "csrfmiddlewaretoken": csrf_token(request)},
        max_redirects=0,
    )
    assert done.status == 302 and "recovery-codes" in done.headers["location"], done.text()


def test_production_guide_and_two_app_servers(production_database, tmp_path):
    from playwright.sync_api import sync_playwright

    media = tmp_path / "shared-media"  # the shared filesystem path both servers use
    media.mkdir()
    env = _env(production_database, media)
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    manage(env, "load_master_data", "data/yachiyo.yaml")
    manage(
        env,
        "createadmin",
        "--username",
        "admin",
        "--email",
        "admin@example.jp",
        "--department",
        "joho-seisaku",
        "--no-input",
    )
    assert "no issues" in manage(env, "check")

    servers = [gunicorn(env, 18101), gunicorn(env, 18102)]
    a, b = "http://127.0.0.1:18101", "http://127.0.0.1:18102"
    try:
        with sync_playwright() as p:
            request = p.request.new_context()
            for base, process in zip((a, b), servers, strict=True):
                wait_ready(request, base, process)

            # Log in through A; the session is seen through B.
            token = login(request, a, "admin", PASSWORD)
            enrol_second_factor(request, b)  # the second step, through the other server
            home_b = request.get(f"{b}/")
            assert home_b.ok and "ログアウト" in home_b.text()

            # A proposal with an attachment saved through A is downloaded through B.
            channel = "1"
            created = request.post(
                f"{a}/initiatives/new/",
                multipart={
                    "csrfmiddlewaretoken": token,
                    "title": "二台構成の確認",
                    "channel": channel,
                    "milestones-TOTAL_FORMS": "0",
                    "milestones-INITIAL_FORMS": "0",
                    "cases-TOTAL_FORMS": "0",
                    "cases-INITIAL_FORMS": "0",
                    "new_files": {"name": "資料.pdf", "mimeType": "application/pdf", "buffer": PDF},
                },
                headers={"Referer": f"{a}/initiatives/new/"},
                max_redirects=0,
            )
            assert created.status == 302, created.text()[:2000]
            detail = request.get(f"{b}{created.headers['location']}")
            assert detail.ok and "二台構成の確認" in detail.text()
            link = next(
                part.split('"', 1)[0]
                for part in detail.text().split('href="')[1:]
                if "/attachments/" in part.split('"', 1)[0]
                and "delete" not in part.split('"', 1)[0]
            )
            download = request.get(f"{b}{link}")
            assert download.ok and download.body() == PDF
            assert list(media.rglob("*.pdf")), "the upload is on the shared path"

            # Logging out through B ends the session on A too.
            request.post(f"{b}/accounts/logout/", form={"csrfmiddlewaretoken": token})
            assert request.get(f"{a}/initiatives/", max_redirects=0).status == 302
            request.dispose()
    finally:
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
        for process in servers:
            process.wait(timeout=30)
        shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)
