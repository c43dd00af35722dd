"""Citizens' pages, open data and 情報政策課's publication setting.

The acceptance test builds an initiative full of internal content with distinctive strings and
checks that none of them reaches the public pages or the open data.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from core.formatting import decimal_text
from initiatives import services
from initiatives.models import Attachment, Initiative, SelfCheckAnswer
from initiatives.publication import PublicationError, set_publication
from plans import services as plans
from plans.models import ImplementationPlan
from policies.models import ComprehensivePlan, Measure
from public import opendata
from reviews.models import ChecklistReview, ChecklistReviewAnswer, Classification

from .conftest import make_user
from .factories import make_initiative

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URLS = ("public:index", "public:opendata", "public:opendata_csv", "public:opendata_json")
SUMMARY = "窓口に来なくても、スマートフォンから住民票の写しを申し込めるようにします。"


@pytest.fixture
def plan(master_data):
    return ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="実施計画（令和8年度～令和10年度）",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )


def years(amount=1_000_000):
    return [
        {"fiscal_year": fy, "planned": f"{fy}年度の計画", "amount": amount, "funding": ""}
        for fy in (2026, 2027)
    ]


KPIS = [
    {
        "indicator": "電子申請の利用件数",
        "unit": "件",
        "baseline_value": Decimal("120"),
        "baseline_year": 2025,
        "target_value": Decimal("5000"),
        "target_year": 2028,
    }
]


def place_and_report(
    initiative, *, secretariat, writer, plan, evaluation="B", progress=60, **report
):
    """Place a decided initiative in the plan and confirm its FY2026 report (through services)."""
    entry = plans.place(
        initiative, actor=secretariat, plan=plan, owner=writer.department, years=years(), kpis=KPIS
    )
    kpi = entry.revisions.get().kpis.get()
    values = {
        "done": "実施した。",
        "evaluation": evaluation,
        "progress_percent": progress,
        **report,
    }
    saved = plans.save_report(
        entry,
        actor=writer,
        fiscal_year=2026,
        period="year",
        values=values,
        kpi_values={kpi: Decimal("1500")},
    )
    plans.submit_report(saved, actor=writer)
    plans.review_report(saved, actor=secretariat, confirm=True, comment="")
    return entry


def publish(initiative, actor, summary=SUMMARY):
    return set_publication(initiative, actor=actor, is_public=True, summary=summary)


def get_all(client, pk):
    """The body of every public page and open-data file, as text."""
    out = {name: client.get(reverse(name)).content.decode("utf-8-sig") for name in PUBLIC_URLS}
    out["public:detail"] = client.get(reverse("public:detail", args=[pk])).content.decode()
    return out


# --- The acceptance test ------------------------------------------------------------------------

SECRETS = {
    "comment": "内部コメントXYZ",
    "review note": "審査メモXYZ",
    "self-check note": "自己チェック補足XYZ",
    "classification reason": "分類理由XYZ",
    "attachment": "添付秘密XYZ.pdf",
    "proposer name": "提案者姓XYZ",
    "proposer username": "proposer-xyz",
    "reviewer name": "審査者姓XYZ",
    "current issues": "現状課題XYZ",
    "content": "取組内容XYZ",
    "security": "セキュリティ考慮XYZ",
    "report done": "実績内部XYZ",
    "risk note": "リスク内部XYZ",
    "improvement": "改善内部XYZ",
    "report comment": "差戻し理由XYZ",
    "plan revision reason": "改定理由XYZ",
    "initial cost": "9,876,543",
    "initial cost raw": "9876543",
    "running cost": "1,234,567",
    "running cost raw": "1234567",
}


def test_public_pages_and_open_data_never_contain_an_internal_field(client, departments, plan):
    proposer = make_user(
        SECRETS["proposer username"],
        departments["shimin_ka"],
        roles.STAFF,
        last_name=SECRETS["proposer name"],
    )
    secretariat = make_user(
        "reviewer-xyz",
        departments["joho"],
        roles.STAFF,
        roles.SECRETARIAT,
        last_name=SECRETS["reviewer name"],
    )
    initiative = make_initiative(
        proposer,
        status="decided",
        title="住民票の写しのオンライン申請",
        current_issues=SECRETS["current issues"],
        content=SECRETS["content"],
        security=SECRETS["security"],
        initial_cost=9_876_543,
        running_cost=1_234_567,
    )
    checklist = initiative.edition.current_checklist()
    item = checklist.items.order_by("number").first()
    SelfCheckAnswer.objects.filter(initiative=initiative, item=item).update(
        answer="improve", note=SECRETS["self-check note"]
    )
    review = ChecklistReview.objects.create(initiative=initiative, checklist=checklist)
    ChecklistReviewAnswer.objects.create(
        review=review,
        item=item,
        answer="improve",
        evidence=SECRETS["review note"],
        reviewer=secretariat,
    )
    Classification.objects.create(
        initiative=initiative,
        kind="planned",
        reason=SECRETS["classification reason"],
        classified_by=secretariat,
    )
    Attachment.objects.create(
        initiative=initiative,
        file="attachments/1/abc.pdf",
        original_name=SECRETS["attachment"],
        content_type="application/pdf",
        size=1234,
        uploaded_by=proposer,
    )
    entry = plans.place(
        initiative,
        actor=secretariat,
        plan=plan,
        owner=proposer.department,
        years=years(),
        kpis=KPIS,
    )
    plans.revise(
        entry,
        actor=secretariat,
        reason=SECRETS["plan revision reason"],
        years=years(amount=2_500_000),
        kpis=KPIS,
    )
    services.transition(initiative, to="in_progress", actor=secretariat, comment=SECRETS["comment"])
    kpi = entry.revisions.get(number=1).kpis.get()
    values = {
        "done": SECRETS["report done"],
        "evaluation": "B",
        "progress_percent": 60,
        "risk": "medium",
        "risk_note": SECRETS["risk note"],
        "improvement": SECRETS["improvement"],
    }
    report = plans.save_report(
        entry,
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=values,
        kpi_values={kpi: Decimal("1500")},
    )
    plans.submit_report(report, actor=proposer)
    plans.review_report(report, actor=secretariat, confirm=False, comment=SECRETS["report comment"])
    plans.submit_report(report, actor=proposer)
    plans.review_report(report, actor=secretariat, confirm=True)

    publish(initiative, secretariat)

    pages = get_all(client, initiative.pk)
    for name, body in pages.items():
        for what, secret in SECRETS.items():
            assert secret not in body, f"{what} ({secret}) leaks into {name}"
        if name != "public:opendata":
            assert "住民票の写しのオンライン申請" in body, name
            assert "実施中" in body, name  # the citizen's word, not the internal 推進中
            assert "B おおむね順調" in body, name
            assert SUMMARY in body, name
    detail = pages["public:detail"]
    assert "2,500,000円" in detail and "5,000,000円" in detail  # the current revision, summed
    assert "1,000,000円" not in detail  # not the baseline
    assert "第1次改定後の内容" in detail
    assert "5,000件" in detail and "1,500件" in detail  # KPI target and actual
    assert "60％" in detail
    for label in ("実施が決まりました", "計画に沿って準備中", "実施中"):
        assert label in detail
    for internal in ("実施計画登載", "推進中", "（統合）"):
        assert internal not in detail
    assert "市民課" in pages["public:index"]  # the owning department


# --- Who sees what --------------------------------------------------------------------------------


def test_drafts_and_unmarked_initiatives_never_appear(client, proposer, reviewer):
    draft = make_initiative(proposer, title="下書きの取組")
    unmarked = make_initiative(proposer, status="decided", title="決定したが非公開の取組")
    shown = make_initiative(proposer, status="in_progress", title="公開している取組")
    publish(shown, reviewer)
    for name in PUBLIC_URLS:
        body = client.get(reverse(name)).content.decode("utf-8-sig")
        assert draft.title not in body and unmarked.title not in body
    assert "公開している取組" in client.get(reverse("public:index")).content.decode()
    for hidden in (draft, unmarked):
        assert client.get(reverse("public:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("public:detail", args=[shown.pk])).status_code == 200
    assert client.get(reverse("public:detail", args=[999999])).status_code == 404


def test_unpublishing_takes_it_off(client, proposer, reviewer):
    item = make_initiative(proposer, status="decided")
    publish(item, reviewer)
    set_publication(item, actor=reviewer, is_public=False, summary=SUMMARY)
    assert client.get(reverse("public:detail", args=[item.pk])).status_code == 404
    assert item.title not in client.get(reverse("public:index")).content.decode()


def test_index_groups_by_policy_with_unclassified_last(client, proposer, reviewer):
    for number, title in ((2, "方針2の取組"), (1, "方針1の取組")):
        publish(
            make_initiative(proposer, status="decided", title=title, policy_number=number), reviewer
        )
    loose = make_initiative(proposer, status="decided", complete=False, title="方針のない取組")
    publish(loose, reviewer)
    html = client.get(reverse("public:index")).content.decode()
    assert html.index("方針1の取組") < html.index("方針2の取組") < html.index("方針のない取組")
    assert (
        html.index('id="policy-1"') < html.index('id="policy-2"') < html.index('id="policy-none"')
    )
    assert "報告前" in html  # no confirmed report yet


def test_only_confirmed_reports_count(client, proposer, reviewer, plan):
    item = make_initiative(proposer, status="decided")
    entry = plans.place(
        item, actor=reviewer, plan=plan, owner=proposer.department, years=years(), kpis=KPIS
    )
    report = plans.save_report(
        entry,
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values={"done": "途中", "evaluation": "D", "progress_percent": 5},
        kpi_values={},
    )
    plans.submit_report(report, actor=proposer)  # submitted, not confirmed
    publish(item, reviewer)
    for name in ("public:index", "public:opendata_json"):
        body = client.get(reverse(name)).content.decode()
        assert "大幅遅れ" not in body
    html = client.get(reverse("public:detail", args=[item.pk])).content.decode()
    assert "大幅遅れ" not in html and "まだ確認済みの進捗報告はありません" in html
    row = json.loads(client.get(reverse("public:opendata_json")).content)["initiatives"][0]
    assert row["progress_percent"] is None and row["evaluation"] is None
    assert row["budget_total"] == 2_000_000 and row["plan_title"] == plan.title


# --- The publication service --------------------------------------------------------------------


def _snapshot(initiative):
    initiative.refresh_from_db()
    return (initiative.is_public, initiative.public_summary, initiative.version)


def test_set_publication_refuses_a_draft_and_changes_nothing(proposer, reviewer):
    draft = make_initiative(proposer)
    before = _snapshot(draft)
    with pytest.raises(PublicationError, match="「下書き」の取組項目は公開できません"):
        publish(draft, reviewer)
    assert _snapshot(draft) == before


@pytest.mark.parametrize("status", ["submitted", "under_review", "rejected", "withdrawn"])
def test_set_publication_refuses_undecided_states(proposer, reviewer, status):
    item = make_initiative(proposer, status=status)
    with pytest.raises(PublicationError, match="公開できません"):
        publish(item, reviewer)
    assert not Initiative.objects.get(pk=item.pk).is_public


@pytest.mark.parametrize("summary", ["", "   \n "])
def test_set_publication_refuses_an_empty_summary(proposer, reviewer, summary):
    item = make_initiative(proposer, status="decided")
    before = _snapshot(item)
    with pytest.raises(PublicationError, match="公開用の概要"):
        publish(item, reviewer, summary=summary)
    assert _snapshot(item) == before


def test_set_publication_is_for_info_policy_only(proposer, promoter, hq, admin_user):
    item = make_initiative(proposer, status="decided")
    before = _snapshot(item)
    for user in (proposer, promoter, hq, admin_user):
        with pytest.raises(PermissionDenied):
            publish(item, user)
    assert _snapshot(item) == before


def test_set_publication_saves_bumps_version_and_records_who(proposer, reviewer):
    item = make_initiative(proposer, status="decided")
    version = item.version
    publish(item, reviewer, summary=f"  {SUMMARY}  ")
    item.refresh_from_db()
    assert item.is_public and item.public_summary == SUMMARY
    assert item.version == version + 1
    assert item.history.latest().history_user == reviewer
    with pytest.raises(PublicationError, match="他の人が更新"):
        set_publication(
            item, actor=reviewer, is_public=False, summary=SUMMARY, expected_version=version
        )
    # Withdrawing from publication is allowed in any state, and keeps the summary.
    set_publication(item, actor=reviewer, is_public=False, summary=SUMMARY)
    assert not Initiative.objects.get(pk=item.pk).is_public


def test_a_summary_can_be_prepared_before_the_decision(proposer, reviewer):
    item = make_initiative(proposer, status="under_review")
    set_publication(item, actor=reviewer, is_public=False, summary=SUMMARY)
    assert Initiative.objects.get(pk=item.pk).public_summary == SUMMARY


# --- The manage page ------------------------------------------------------------------------------


def test_manage_page_per_role(client, proposer, reviewer, hq):
    item = make_initiative(proposer, status="decided")
    url = reverse("public:manage", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (proposer, hq):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"is_public": "on", "public_summary": SUMMARY}).status_code == 403
    client.force_login(reviewer)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert item.title in html and "市民に公開する" in html and "公開用の概要" in html
    assert not Initiative.objects.get(pk=item.pk).is_public
    assert client.get(reverse("public:manage", args=[999999])).status_code == 404


def test_manage_page_publishes_and_redirects(client, proposer, reviewer):
    item = make_initiative(proposer, status="decided")
    client.force_login(reviewer)
    response = client.post(
        reverse("public:manage", args=[item.pk]),
        {"is_public": "on", "public_summary": SUMMARY, "version": item.version},
    )
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    item.refresh_from_db()
    assert item.is_public and item.public_summary == SUMMARY


def test_manage_page_errors_are_in_japanese(client, proposer, reviewer):
    item = make_initiative(proposer, status="decided")
    draft = make_initiative(proposer, title="下書き")
    client.force_login(reviewer)
    response = client.post(
        reverse("public:manage", args=[item.pk]),
        {"is_public": "on", "public_summary": " ", "version": item.version},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "市民に公開するには、公開用の概要を入力してください。" in html
    assert 'href="#id_public_summary"' in html  # the error summary links to the field
    response = client.post(
        reverse("public:manage", args=[draft.pk]),
        {"is_public": "on", "public_summary": SUMMARY, "version": draft.version},
    )
    assert response.status_code == 400
    assert "「下書き」の取組項目は公開できません" in response.content.decode()
    response = client.post(
        reverse("public:manage", args=[item.pk]),
        {"is_public": "on", "public_summary": SUMMARY, "version": item.version - 1},
    )
    assert response.status_code == 400 and "他の人が更新" in response.content.decode()
    assert not Initiative.objects.filter(is_public=True).exists()
    assert (
        "まだ市民に公開できません"
        in client.get(reverse("public:manage", args=[draft.pk])).content.decode()
    )


# --- HTTP and formats ---------------------------------------------------------------------------


def test_public_pages_refuse_post(client, proposer, reviewer):
    item = make_initiative(proposer, status="decided")
    publish(item, reviewer)
    urls = [reverse(name) for name in PUBLIC_URLS] + [reverse("public:detail", args=[item.pk])]
    for url in urls:
        assert client.post(url).status_code == 405, url
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url


def test_csv_is_utf8_with_bom_and_japanese_headers(client, proposer, reviewer):
    item = make_initiative(proposer, status="decided", title="=HYPERLINK(1)")
    publish(item, reviewer)
    response = client.get(reverse("public:opendata_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == opendata.CSV_HEADERS
    assert rows[0][:3] == ["ID", "取組名", "概要"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["ID"] == str(item.pk) and row["概要"] == SUMMARY
    assert row["取組名"] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    assert row["状態"] == "実施が決まりました" and row["進捗率（％）"] == ""
    assert row["詳細ページURL"] == f"http://testserver/public/initiatives/{item.pk}/"


def test_json_parses_and_matches_the_schema(client, proposer, reviewer, plan):
    item = make_initiative(proposer, status="decided")
    place_and_report(item, secretariat=reviewer, writer=proposer, plan=plan)
    publish(item, reviewer)
    response = client.get(reverse("public:opendata_json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert set(data) == {"schema", "generated_at", "initiatives"}
    assert data["schema"].endswith(reverse("public:opendata"))
    assert datetime.datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    keys = [f.key for f in opendata.FIELDS]
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", k) for k in keys)
    [row] = data["initiatives"]
    assert list(row) == keys
    assert row == {
        "id": item.pk,
        "title": item.title,
        "summary": SUMMARY,
        "status": "planned",
        "status_label": "計画に沿って準備中",
        "policy_number": 2,
        "policy_name": item.policy.name,
        "department": "市民部 市民課",
        "plan_title": plan.title,
        "budget_total": 2_000_000,
        "report_fiscal_year": 2026,
        "report_period": "通年",
        "progress_percent": 60,
        "evaluation": "B",
        "evaluation_label": "B おおむね順調",
        "url": f"http://testserver/public/initiatives/{item.pk}/",
    }
    # The schema page and the written documentation describe every key and column.
    schema = client.get(data["schema"]).content.decode()
    docs = (ROOT / "docs" / "opendata.md").read_text(encoding="utf-8")
    for f in opendata.FIELDS:
        assert f"<code>{f.key}</code>" in schema and f.header in schema
        assert f"| `{f.key}` | {f.header} | {f.type} | {f.description} |" in docs
    for key in ("schema", "generated_at", "initiatives"):
        assert f"<code>{key}</code>" in schema and f"`{key}`" in docs


def test_empty_open_data(client, db):
    assert json.loads(client.get(reverse("public:opendata_json")).content)["initiatives"] == []
    body = client.get(reverse("public:opendata_csv")).content.decode("utf-8-sig")
    assert body.strip() == ",".join(opendata.CSV_HEADERS)


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_initiatives(client, proposer, reviewer, plan):
    def add(n):
        for i in range(n):
            item = make_initiative(proposer, status="decided", title=f"取組{i}")
            if i % 3:  # some placed with a confirmed report, some not
                place_and_report(item, secretariat=reviewer, writer=proposer, plan=plan)
            if i % 3 == 1:
                services.transition(item, to="in_progress", actor=reviewer)
            publish(item, reviewer)
        return item

    first = add(3)
    names = [*PUBLIC_URLS]
    urls = [reverse(n) for n in names] + [reverse("public:detail", args=[first.pk])]
    small = [_count(client, url) for url in urls]
    add(27)
    assert Initiative.objects.filter(is_public=True).count() == 30
    large = [_count(client, url) for url in urls]
    assert small == large, (small, large)
    assert max(large) <= 12, large  # 2 of them read the city's names; 1 the progress notes


# --- Markup ---------------------------------------------------------------------------------------


def test_public_markup_is_accessible(client, proposer, reviewer, plan):
    item = make_initiative(proposer, status="decided")
    place_and_report(item, secretariat=reviewer, writer=proposer, plan=plan)
    publish(item, reviewer)
    client.force_login(reviewer)
    manage = client.get(reverse("public:manage", args=[item.pk])).content.decode()
    client.logout()
    pages = [
        client.get(reverse("public:index")).content.decode(),
        client.get(reverse("public:detail", args=[item.pk])).content.decode(),
        client.get(reverse("public:opendata")).content.decode(),
        manage,
    ]
    for html in pages:
        assert '<html lang="ja">' in html
        assert html.count("<h1") == 1
        assert " style=" not in html and "<script" not in html
        assert html.count("<table") == html.count("<caption")
        assert "<th>" not in html  # every header cell has a scope
    assert pages[1].count("<table") == 3  # plan, KPIs, reports
    assert 'aria-current="page">公開中の取組' in pages[0]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("5000.00", "5,000"), ("32.50", "32.5"), ("0.00", "0"), ("100", "100"), ("0.05", "0.05")],
)
def test_kpi_numbers_are_shown_plainly(value, shown):
    assert decimal_text(Decimal(value), grouping=True) == shown
