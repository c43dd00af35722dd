"""Public pages of the foundation: home, editions, policies, glossary, login, admin."""

import datetime

import pytest
import yaml
from django.contrib import admin
from django.urls import reverse

from policies.masterdata import load, read_file

from .conftest import MASTER_DATA, PASSWORD
from .test_masterdata import EXAMPLES, made_up_edition

pytestmark = pytest.mark.django_db


def test_home_shows_three_policies_with_their_23_examples(client, master_data):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("ストレスフリーな市役所", "行政事務の効率化", "人に寄り添うデジタル化"):
        assert name in html
    for titles in EXAMPLES.values():
        for title in titles:
            assert title in html
    assert "八千代市DX推進ポータル" in html
    assert '<html lang="ja">' in html
    assert 'href="#main"' in html  # skip link


def test_home_query_count_is_fixed(client, master_data, django_assert_max_num_queries):
    # The edition and its policies, the city's names (municipality, bodies), the session.
    with django_assert_max_num_queries(6):
        client.get("/")


def test_home_without_master_data_explains_what_to_do(client, db):
    response = client.get("/")
    assert "load_master_data" in response.content.decode()


def test_policy_page(client, master_data):
    response = client.get(reverse("policies:policy", args=["yachiyo-dx-2023", 2]))
    html = response.content.decode()
    assert "行政事務の効率化" in html
    assert "AI及びRPAの活用推進" in html
    assert "キャッシュレス決済の推進" not in html  # an example of policy 1
    assert "現在適用中の版" in html


def test_unknown_policy_is_404(client, master_data):
    assert client.get(reverse("policies:policy", args=["yachiyo-dx-2023", 9])).status_code == 404


def test_edition_page_shows_checklist(client, master_data):
    html = client.get(reverse("policies:edition", args=["yachiyo-dx-2023"])).content.decode()
    assert "DX推進チェックリスト（第1版）" in html
    assert "セキュリティについて、精査したか。" in html
    assert "令和5年度（2023年度）〜令和7年度（2025年度）" in html


def test_earlier_edition_stays_viewable_when_a_new_one_is_in_force(client, master_data, tmp_path):
    data = yaml.safe_load(MASTER_DATA.read_text(encoding="utf-8"))
    edition = made_up_edition()
    edition["adopted_on"] = datetime.date(2024, 4, 1)  # in force today
    data["editions"].append(edition)
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load(read_file(path))

    home = client.get("/").content.decode()
    assert "データで動く市役所" in home and "ストレスフリーな市役所" not in home

    old = client.get(reverse("policies:edition", args=["yachiyo-dx-2023"])).content.decode()
    assert "過去の版を表示しています" in old and "ストレスフリーな市役所" in old

    listing = client.get(reverse("policies:editions")).content.decode()
    assert "適用中" in listing and "過去の版" in listing


def test_glossary_page_lists_terms(client, master_data):
    html = client.get(reverse("policies:glossary")).content.decode()
    assert "デジタル・デバイド" in html and "Robotic Process Automation" in html


def test_wrong_method_is_405(client, master_data):
    assert client.post("/").status_code == 405
    assert client.post(reverse("policies:glossary")).status_code == 405


def test_login_and_logout_in_japanese(client, proposer):
    page = client.get(reverse("login")).content.decode()
    assert "ユーザー名" in page and "パスワード" in page
    bad = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert "ログインできませんでした" in bad.content.decode()
    ok = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert ok.status_code == 302
    assert "有栖" in client.get("/").content.decode()
    out = client.post(reverse("logout"))
    assert "ログアウトしました" in out.content.decode()
    assert client.get(reverse("logout")).status_code == 405


MASTER_MODELS = [
    "municipality",
    "policyedition",
    "policy",
    "exampleinitiative",
    "checklist",
    "checklistitem",
    "channel",
    "body",
    "department",
    "glossaryterm",
    "comprehensiveplan",
    "measure",
]


def test_admin_lists_every_master_data_model_with_japanese_labels(client, admin_user):
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    for name in MASTER_MODELS:
        model = next(m for m in admin.site._registry if m._meta.model_name == name)
        label = str(model._meta.verbose_name_plural)
        assert not label.isascii(), f"{name} has no Japanese label"
        assert label in index
        changelist = client.get(reverse(f"admin:policies_{name}_changelist") + "?q=a")
        assert changelist.status_code == 200, name


def test_admin_role_edits_master_data_but_plain_staff_cannot(client, admin_user, proposer):
    client.force_login(admin_user)
    url = reverse("admin:policies_glossaryterm_add")
    assert client.get(url).status_code == 200
    client.force_login(proposer)
    assert client.get(url).status_code == 302  # not staff: sent to the admin login


@pytest.mark.parametrize("years_left, ended", [(-1, True), (0, False)])
def test_home_says_when_the_edition_in_force_is_past_its_period(
    client, master_data, years_left, ended
):
    """Issue 11, finding 10: in force, but its 推進期間 is over: the home page says so."""
    from django.utils import timezone

    from core.fiscal import fiscal_year
    from policies.models import PolicyEdition

    edition = PolicyEdition.objects.in_force()
    edition.end_fiscal_year = fiscal_year(timezone.localdate()) + years_left
    edition.start_fiscal_year = min(edition.start_fiscal_year, edition.end_fiscal_year)
    edition.save()
    html = client.get("/").content.decode()
    assert "現在適用中の版" in html
    assert ("推進期間は" in html and "で終わりました" in html) is ended


def test_the_pagination_links_a_few_pages_however_many_there_are():
    from django.core.paginator import Paginator

    from core.templatetags.portal_tags import elided_pages

    paginator = Paginator(range(10_000), 25)
    e = paginator.ELLIPSIS
    assert list(elided_pages(paginator, 200)) == [1, e, 198, 199, 200, 201, 202, e, 400]
    assert list(elided_pages(paginator, 1)) == [1, 2, 3, e, 400]
