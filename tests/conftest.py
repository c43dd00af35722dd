"""Shared fixtures: the city's master data, named users per role, the browser.

Named users (healthchecks' alice/bob, Zulip's hamlet/iago): `proposer` and `promoter` (DX推進員)
work in 市民課; `outsider` in 道路管理課; `reviewer` in 情報政策課; `hq`, `council`,
`counter_member` and `admin_user` hold the other roles.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from accounts import roles
from accounts.models import User
from policies.masterdata import load, read_file
from policies.models import Body, Department

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that
# thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
MASTER_DATA = ROOT / "data" / "yachiyo.yaml"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing cost is a production concern; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Shared values (core.cache) are kept across requests, and would be across tests too.
    cache.clear()


# The cache tests run against a real Redis too (CI starts one); a separate database number, so
# that clearing it between tests touches nothing else.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers():
    import redis

    try:
        return redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The test runs once with each process's memory and once with Redis as the cache.
    Without Redis the second run is skipped, unless REQUIRE_REDIS=1 (CI) makes it fail."""
    if request.param == "redis":
        if not _redis_answers():
            if os.environ.get("REQUIRE_REDIS") == "1":
                pytest.fail(f"Redis at {TEST_REDIS_URL} does not answer (REQUIRE_REDIS=1)")
            pytest.skip(f"no Redis at {TEST_REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": TEST_REDIS_URL,
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _password_alone_signs_in(request, settings):
    """The suite tests what each role may do once signed in; the second step that 管理者 and
    the secretariat add to the password is tested on its own (tests/test_two_factor.py, marked
    `two_factor`), where it is required as in production."""
    settings.TWO_FACTOR_REQUIRED = request.node.get_closest_marker("two_factor") is not None


@pytest.fixture
def master_data(db):
    """The city's master data and the administrators' group (flushed by transactional tests)."""
    Group.objects.get_or_create(name=roles.ADMIN_GROUP)
    load(read_file(MASTER_DATA))


@pytest.fixture
def departments(master_data):
    def dept(code, name, parent=None):
        return Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": parent}
        )[0]

    shimin = dept("shimin", "市民部")
    toshi = dept("toshi", "都市整備部")
    return {
        "shimin_ka": dept("shimin-ka", "市民課", shimin),
        "doro": dept("doro", "道路管理課", toshi),
        "joho": Department.objects.get(code="joho-seisaku"),
    }


def make_user(username, department, *functions, **extra):
    """An account with the given functions (accounts.roles; STAFF is having a department,
    None for an external member)."""
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        department=department,
        email=f"{username}@example.jp",
        last_name=extra.pop("last_name", username),
        dx_promoter=roles.PROMOTER in functions,
        in_secretariat=roles.SECRETARIAT in functions,
        **extra,
    )
    kinds = [k for k in (roles.COUNCIL, roles.HEADQUARTERS, roles.COMMITTEE) if k in functions]
    user.bodies.set(Body.objects.filter(kind__in=kinds))
    user.groups.set(Group.objects.filter(name__in=functions))
    return user


@pytest.fixture
def proposer(departments):
    return make_user("alice", departments["shimin_ka"], roles.STAFF, last_name="有栖")


@pytest.fixture
def promoter(departments):
    return make_user("bob", departments["shimin_ka"], roles.STAFF, roles.PROMOTER, last_name="坊")


@pytest.fixture
def outsider(departments):
    return make_user("charlie", departments["doro"], roles.STAFF, last_name="茶井")


@pytest.fixture
def reviewer(departments):
    return make_user("iago", departments["joho"], roles.STAFF, roles.SECRETARIAT, last_name="井上")


@pytest.fixture
def hq(departments):
    return make_user("hamlet", departments["joho"], roles.STAFF, roles.HEADQUARTERS, last_name="浜")


@pytest.fixture
def council(departments):
    # An external member of the council: no 所属 in the city.
    return make_user("cordelia", None, roles.COUNCIL, last_name="小手")


@pytest.fixture
def counter_member(departments):
    return make_user("dave", departments["doro"], roles.STAFF, roles.COMMITTEE, last_name="出部")


@pytest.fixture
def admin_user(departments):
    return make_user(
        "eve", departments["joho"], roles.STAFF, roles.ADMIN_GROUP, is_staff=True, last_name="江部"
    )


# --- Browser -------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it as root, or run "
            "`sudo apt-get install chromium fonts-noto-cjk`"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture
def login(live_server):
    """Log a Playwright page in through the real login form."""

    def do_login(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("ユーザー名").fill(user.username)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(f"{live_server.url}/")

    return do_login
