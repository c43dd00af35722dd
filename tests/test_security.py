"""Security hardening: deploy checks, headers, login throttling, sessions, logs, health."""

import json
import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="dx-portal.city.example.jp",
        CSRF_TRUSTED_ORIGINS="https://dx-portal.city.example.jp",
        DJANGO_SETTINGS_MODULE="yachiyo_dx.settings",
    )
    env.update(extra)
    return env


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_nothing():
    # As docs/production.md sets them: a Redis that every worker shares.
    result = check_deploy(production_env(CACHE_URL="redis://127.0.0.1:6379/0"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_of_a_cache_each_worker_keeps_alone():
    result = check_deploy({k: v for k, v in production_env().items() if k != "CACHE_URL"})
    assert result.returncode == 1
    assert "core.W001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_security_headers_on_every_response(client, settings, master_data):
    settings.SECURE_HSTS_SECONDS = 31536000
    for url in ("/", reverse("login"), "/healthz", "/nope-404/"):
        response = client.get(url, secure=True)
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        csp = response["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "'self'" in script_src
        assert "frame-ancestors 'none'" in csp


def test_password_validators_follow_nist_length_and_common_lists(settings):
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names and "CommonPasswordValidator" in names
    assert "NumericPasswordValidator" not in names  # no composition rules
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("とても長い合言葉でも大丈夫です")


@pytest.mark.django_db
def test_login_brute_force_is_throttled_and_logged(client, proposer, caplog):
    caplog.set_level(logging.INFO, logger="yachiyo.security")
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "ログインを一時的に停止しています" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "yachiyo.security"]
    assert sum(e["event"] == "login_failed" for e in events) >= 5


@pytest.mark.django_db
def test_many_user_names_from_one_address_are_locked_out(client, proposer, settings):
    """27 names × 4 guesses from one address once passed (each pair under its limit)."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(4):
        for _ in range(3):
            client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_person_retrying_does_not_lock_out_the_address(client, proposer, promoter, settings):
    """Attempts refused during a lockout neither count nor prolong it."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for _ in range(40):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "bob", "password": PASSWORD}).status_code == 302
    )


@pytest.mark.django_db
def test_one_user_name_from_many_addresses_is_locked_out(client, proposer, promoter, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    for n in range(4):
        for _ in range(2):
            client.post(
                reverse("login"),
                {"username": "alice", "password": "wrong"},
                REMOTE_ADDR=f"192.0.2.{n + 10}",
            )
    locked = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    # Another person at the first addresses still signs in.
    assert (
        client.post(reverse("login"), {"username": "bob", "password": PASSWORD}).status_code == 302
    )


@pytest.mark.django_db
def test_successful_login_and_logout_are_logged(client, proposer, caplog):
    caplog.set_level(logging.INFO, logger="yachiyo.security")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    client.post(reverse("logout"))
    events = [
        json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "yachiyo.security"
    ]
    assert events == ["login", "logout"]
    assert client.get(reverse("initiatives:list")).status_code == 302  # the session ended


@pytest.mark.django_db
def test_refused_actions_are_logged(client, outsider, caplog):
    caplog.set_level(logging.INFO, logger="yachiyo.security")
    client.force_login(outsider)
    assert client.get(reverse("reviews:inbox")).status_code == 403
    refused = [json.loads(r.getMessage()) for r in caplog.records if "refused" in r.getMessage()]
    assert refused and refused[0]["path"] == "/reviews/" and refused[0]["user_id"] == outsider.pk


def test_log_lines_cannot_be_forged():
    from yachiyo_dx.observability import SingleLineFormatter

    formatter = SingleLineFormatter("%(message)s")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "user=%s", ("alice\nINFO forged admin login",), None
    )
    line = formatter.format(record)
    assert "\n" not in line and line == "user=alice\\nINFO forged admin login"


@pytest.mark.django_db
def test_forged_username_in_a_failed_login_stays_on_one_line(client, proposer, caplog):
    caplog.set_level(logging.INFO, logger="yachiyo.security")
    client.post(reverse("login"), {"username": 'x\n{"event": "login"}', "password": "x"})
    from yachiyo_dx.observability import SingleLineFormatter

    formatter = SingleLineFormatter("%(message)s")
    lines = [formatter.format(r) for r in caplog.records if r.name == "yachiyo.security"]
    assert lines and all("\n" not in line for line in lines)
    assert json.loads(lines[0])["username"] == 'x\n{"event": "login"}'


@pytest.mark.django_db
def test_sessions_expire_when_idle_and_absolutely(client, proposer, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert client.get(reverse("initiatives:list")).status_code == 200
    session = client.session
    session["authenticated_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    assert client.get(reverse("initiatives:list")).status_code == 302


@pytest.mark.django_db
def test_activity_renews_the_idle_timeout_once_a_minute_not_on_every_page(
    client, proposer, settings
):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(proposer)
    url = reverse("initiatives:list")
    client.get(url)
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nothing to renew yet
    session = client.session
    session["renewed_at"] -= settings.SESSION_RENEW_SECONDS
    session.save()
    time.sleep(1)  # expire_date has a resolution of the clock; a second apart shows the renewal
    response = client.get(url)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    assert Session.objects.get(pk=key).expire_date > first


@pytest.mark.django_db
def test_deactivating_a_user_ends_their_sessions(client, proposer):
    client.force_login(proposer)
    assert client.get(reverse("initiatives:list")).status_code == 200
    proposer.is_active = False
    proposer.save()
    assert client.get(reverse("initiatives:list")).status_code == 302
    # Reactivated, the account must sign in again: the old cookie is dead (issue 15).
    proposer.is_active = True
    proposer.save()
    assert client.get(reverse("initiatives:list")).status_code == 302


@pytest.mark.django_db
def test_the_admin_ends_a_users_sessions(client, proposer, admin_user):
    from django.test import Client

    desk = Client()
    desk.force_login(proposer)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [proposer.pk]},
        follow=True,
    )
    assert "1件のログインを終了させました" in response.content.decode()
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="account.sessions_ended", actor=admin_user).exists()
    assert desk.get(reverse("initiatives:list")).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 10_000])
def test_an_overlong_username_at_login_is_refused_not_a_500(client, proposer, length):
    """On PostgreSQL it once reached the lockout table's varchar(255) and answered 500."""
    response = client.post(reverse("login"), {"username": "あ" * length, "password": "x"})
    assert response.status_code == 200


# --- Health -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_and_readiness_with_the_database_up(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def run_ready(**env):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz', HTTP_HOST='dx-portal.city.example.jp'); print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT="0", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    return int(status), json.loads(body)


def test_readiness_with_the_database_down():
    status, body = run_ready(DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert status == 503 and body["database"] == "unreachable"


def test_readiness_with_migrations_pending(tmp_path):
    status, body = run_ready(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert status == 503 and body["pending_migrations"] > 0


def test_health_answers_without_the_database():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='dx-portal.city.example.jp'); print(r.status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(
            SECURE_SSL_REDIRECT="0", DATABASE_URL="postgres://nobody@127.0.0.1:1/none"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "200", result.stderr


@pytest.mark.django_db
def test_health_answers_on_the_app_servers_own_address(client):
    # The proxy probes each app server by its address, which is not an allowed host.
    assert client.get("/readyz", HTTP_HOST="10.0.0.11:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.11:8000").status_code == 400


def test_client_address_behind_trusted_proxies(rf, settings):
    from yachiyo_dx.observability import client_ip

    settings.PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "203.0.113.9"  # the entry nginx appended, not the forged one
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"


@pytest.mark.django_db
def test_lockout_is_per_client_address_behind_the_proxy(client, proposer, settings):
    settings.PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    assert (
        client.post(
            reverse("login"),
            {"username": "alice", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        ).status_code
        == 429
    )
    # The real user, from another address, can still log in.
    ok = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.7",
    )
    assert ok.status_code == 302


def test_a_choice_beyond_any_integer_column_is_an_invalid_choice_not_a_500(client, proposer):
    """int() reads full-width digits: a 20-digit choice once reached the database (500)."""
    from policies.models import ExampleInitiative

    huge = "１２３４５６７８９０１２３４５６７８９０"
    assert list(ExampleInitiative.objects.filter(pk__in=[int(huge)])) == []
    assert ExampleInitiative.objects.exclude(pk__in=[int(huge)]).count() == (
        ExampleInitiative.objects.count()
    )
    client.force_login(proposer)
    response = client.post(reverse("initiatives:create"), {"title": "x", "examples": [huge]})
    assert response.status_code == 200
    assert "選択" in response.content.decode()
