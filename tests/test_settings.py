"""Settings come from the environment; production refuses to start without a secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(code, **env):
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="yachiyo_dx.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_secret_key_with_debug_off_refuses_to_start():
    result = run_django("print('started')", DEBUG="0")
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY must be set" in result.stderr


def test_manage_py_refuses_to_start_without_secret():
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    clean["DEBUG"] = "0"  # explicit: a developer's .env (DEBUG=1) must not change the outcome
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_secret_key_from_environment_starts():
    result = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="0",
        SECRET_KEY="from-the-environment",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-the-environment"


def test_database_url_is_honoured():
    code = (
        "from django.conf import settings; import json; d = settings.DATABASES['default']; "
        "print(json.dumps([d['ENGINE'], d['NAME'], d['HOST'], d['PORT'], d['USER']]))"
    )
    result = run_django(
        code,
        DEBUG="0",
        SECRET_KEY="x",
        DATABASE_URL="postgres://someone@db.example.internal:6543/portal",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.db.backends.postgresql",
        "portal",
        "db.example.internal",
        6543,
        "someone",
    ]


def test_sqlite_is_the_default_with_wal_and_immediate_transactions():
    code = (
        "from django.conf import settings; import json; d = settings.DATABASES['default']; "
        "print(json.dumps([d['ENGINE'], str(d['NAME']), d['OPTIONS']]))"
    )
    result = run_django(code, DEBUG="0", SECRET_KEY="x")
    assert result.returncode == 0, result.stderr
    engine, name, options = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "db.sqlite3")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_allowed_hosts_and_csrf_origins_from_environment():
    code = (
        "from django.conf import settings; import json; "
        "print(json.dumps([settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS]))"
    )
    result = run_django(
        code,
        DEBUG="0",
        SECRET_KEY="x",
        ALLOWED_HOSTS="dx.city.example.jp,localhost",
        CSRF_TRUSTED_ORIGINS="https://dx.city.example.jp",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        ["dx.city.example.jp", "localhost"],
        ["https://dx.city.example.jp"],
    ]


def test_production_has_no_allowed_hosts_by_default():
    code = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = run_django(code, DEBUG="0", SECRET_KEY="x")
    assert result.stdout.strip() == "[]"


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "yachiyo_dx" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.MULTILINE))
    assert read, "no variables found in settings"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"
