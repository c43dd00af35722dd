"""Proposal intake: drafting, submitting, withdrawing, who may do what, and bad input."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Attachment, Initiative, Milestone, SelfCheckAnswer
from initiatives.submission import submission_problems
from policies.models import Channel, Department, ExampleInitiative, PolicyEdition

from .factories import make_initiative, transitions

pytestmark = pytest.mark.django_db
S = Initiative.Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_data(**overrides):
    """A complete proposal form as the browser would post it."""
    edition = PolicyEdition.objects.in_force()
    policy = edition.policies.get(number=2)
    data = {
        "title": "AI議事録作成の導入",
        "channel": str(Channel.objects.get(code="department").pk),
        "policy": str(policy.pk),
        "examples": [str(policy.examples.get(number=12).pk)],
        "affected_departments": [str(Department.objects.get(code="shimin-ka").pk)],
        "current_issues": "会議録の作成に時間がかかる。",
        "content": "AIで議事録の下書きを作る。",
        "effect_citizens": "会議録の公開が早まる。",
        "effect_staff": "作成時間が半分になる。",
        "staff_hours_saved": "800",
        "small_start_plan": "1課で3か月試行する。",
        "initial_cost": "1000000",
        "running_cost": "240000",
        "funding_sources": ["general", "subsidy"],
        "funding_note": "",
        "security": "クラウドの所在地を国内に限定する。",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "30",
        "milestones-0-kind": "budget",
        "milestones-0-target_fiscal_year": "2026",
        "milestones-1-kind": "launch",
        "milestones-1-target_date": "2027-04-01",
        "cases-TOTAL_FORMS": "1",
        "cases-INITIAL_FORMS": "0",
        "cases-MIN_NUM_FORMS": "0",
        "cases-MAX_NUM_FORMS": "30",
        "cases-0-name": "A市",
        "cases-0-url": "https://example.jp/a",
    }
    for number in range(1, 9):
        data[f"check-answer_{number}"] = "ok"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- Creating and editing -------------------------------------------------------------------


def test_proposer_creates_a_complete_draft(client, proposer):
    client.force_login(proposer)
    data = form_data()
    data["new_files"] = [upload("資料.pdf", PDF)]
    response = client.post(reverse("initiatives:create"), data)
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    assert initiative.status == S.DRAFT
    assert initiative.proposer == proposer and initiative.department == proposer.department
    assert initiative.edition == PolicyEdition.objects.in_force()
    assert initiative.milestones.count() == 2
    assert initiative.self_check.count() == 8
    assert initiative.case_studies.get().name == "A市"
    assert initiative.funding_sources == ["general", "subsidy"]
    attachment = initiative.attachments.get()
    assert attachment.original_name == "資料.pdf"
    assert attachment.content_type == "application/pdf"
    assert re.fullmatch(rf"attachments/{initiative.pk}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    assert submission_problems(initiative) == []


def test_a_draft_may_be_incomplete(client, proposer):
    client.force_login(proposer)
    data = {k: v for k, v in form_data().items() if k in ("title", "channel") or "-" in k}
    data.update({"milestones-TOTAL_FORMS": "0", "cases-TOTAL_FORMS": "0"})
    data = {k: v for k, v in data.items() if not k.startswith("check-")}
    response = client.post(reverse("initiatives:create"), data)
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    problems = dict(submission_problems(initiative))
    assert {"policy", "content", "security", "milestones", "self_check", "funding_sources"} <= set(
        problems
    )


def test_validation_error_keeps_input_and_saves_nothing(client, proposer):
    client.force_login(proposer)
    data = form_data(initial_cost="-5", title="入力を残す")
    data["new_files"] = [upload("資料.pdf", PDF)]
    response = client.post(reverse("initiatives:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="入力を残す"' in html
    assert "入力内容に" in html and 'href="#id_initial_cost"' in html
    assert 'aria-invalid="true"' in html
    assert Initiative.objects.count() == 0
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("initial_cost", "-1", "0 以上"),
        ("running_cost", "1000000000001", "1兆円"),
        ("initial_cost", "abc", "整数"),
        ("staff_hours_saved", "-3", "0 以上"),
    ],
)
def test_negative_or_absurd_amounts_are_refused(client, proposer, field, value, message):
    client.force_login(proposer)
    response = client.post(reverse("initiatives:create"), form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Initiative.objects.count() == 0


def test_example_of_another_policy_is_refused(client, proposer):
    client.force_login(proposer)
    other = ExampleInitiative.objects.get(policy__number=1, number=3)
    response = client.post(reverse("initiatives:create"), form_data(examples=[str(other.pk)]))
    assert response.status_code == 200
    assert "以外の取組例は選べません" in response.content.decode()
    assert Initiative.objects.count() == 0


def test_example_without_policy_is_refused(client, proposer):
    client.force_login(proposer)
    response = client.post(reverse("initiatives:create"), form_data(policy=""))
    assert "取組例を選ぶ前に基本方針を選んでください" in response.content.decode()


def test_milestone_needs_a_target_and_nothing_is_half_saved(client, proposer):
    client.force_login(proposer)
    data = form_data(**{"milestones-1-target_date": ""})
    response = client.post(reverse("initiatives:create"), data)
    assert "目標日か目標年度のどちらかを入力してください" in response.content.decode()
    assert Initiative.objects.count() == 0 and Milestone.objects.count() == 0


def test_self_check_note_required_unless_ok(client, proposer):
    client.force_login(proposer)
    response = client.post(
        reverse("initiatives:create"), form_data(**{"check-answer_4": "improve"})
    )
    assert "項目4は「要改善」のため、補足を入力してください" in response.content.decode()
    assert SelfCheckAnswer.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "空"),
        ("disguised.pdf", b"MZ\x90\x00 this is an exe", "内容が拡張子"),
        ("image.png", PDF, "内容が拡張子"),
        ("fake.docx", b"PK\x03\x04not really a zip", "内容が拡張子"),
        ("script.exe", b"MZ", "登録できない種類"),
        ("page.html", b"<script>", "登録できない種類"),
        ("data.csv", b"\x00\x01\x02binary", "内容が拡張子"),
    ],
)
def test_bad_files_are_refused(client, proposer, name, content, message):
    client.force_login(proposer)
    data = form_data()
    data["new_files"] = [upload(name, content)]
    response = client.post(reverse("initiatives:create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Initiative.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_file_is_refused(client, proposer, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(proposer)
    data = form_data()
    data["new_files"] = [upload("big.pdf", PDF + b"0" * 2048)]
    response = client.post(reverse("initiatives:create"), data)
    assert "1ファイル1.0 KBまで" in response.content.decode().replace("\xa0", " ")
    assert Attachment.objects.count() == 0


def test_allowed_types_are_accepted(client, proposer, tmp_path):
    import zipfile

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    workbook = openpyxl.Workbook()
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    files = [
        upload("a.pdf", PDF),
        upload("b.png", PNG),
        upload("c.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        upload("d.docx", docx.getvalue()),
        upload("e.xlsx", xlsx.getvalue()),
        upload("f.csv", "番号,名称\n1,テスト\n".encode("cp932")),
        upload("g.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
    ]
    client.force_login(proposer)
    data = form_data()
    data["new_files"] = files
    response = client.post(reverse("initiatives:create"), data)
    assert response.status_code == 302, response.content.decode()
    assert Attachment.objects.count() == len(files)


# --- Channels ---------------------------------------------------------------------------------


def channel_options(client):
    html = client.get(reverse("initiatives:create")).content.decode()
    select = re.search(r'<select name="channel".*?</select>', html, re.S).group(0)
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)


def test_channels_offered_per_role(client, proposer, counter_member, reviewer):
    client.force_login(proposer)
    assert channel_options(client) == ["各部署の課題"]
    client.force_login(counter_member)
    assert channel_options(client) == ["各部署の課題", "窓口の課題"]
    client.force_login(reviewer)
    assert channel_options(client) == ["各部署の課題", "組織横断的な課題"]


@pytest.mark.parametrize("code", ["counter", "cross-organisational"])
def test_server_refuses_a_channel_the_user_may_not_use(client, proposer, code):
    client.force_login(proposer)
    channel = Channel.objects.get(code=code)
    response = client.post(reverse("initiatives:create"), form_data(channel=str(channel.pk)))
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    assert Initiative.objects.count() == 0


# --- Submitting and withdrawing ---------------------------------------------------------------


def test_submit_lists_every_missing_part_at_once(client, proposer):
    initiative = make_initiative(proposer, complete=False)
    client.force_login(proposer)
    page = client.get(reverse("initiatives:submit", args=[initiative.pk])).content.decode()
    for text in (
        "基本方針を入力",
        "取組内容を入力",
        "財源を1つ以上",
        "スケジュールを1件以上",
        "自己チェックの項目1、2、3、4、5、6、7、8",
    ):
        assert text in page
    response = client.post(
        reverse("initiatives:submit", args=[initiative.pk]), {"expected_status": "draft"}
    )
    assert response.status_code == 200
    initiative.refresh_from_db()
    assert initiative.status == S.DRAFT and not transitions(initiative).exists()


def test_submit_writes_the_audit_event(client, proposer):
    initiative = make_initiative(proposer)
    client.force_login(proposer)
    response = client.post(
        reverse("initiatives:submit", args=[initiative.pk]), {"expected_status": "draft"}
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED and initiative.submitted_at is not None
    event = transitions(initiative).get()
    assert (event.actor, event.actor_name, event.before["status"], event.after["status"]) == (
        proposer,
        "有栖",
        "draft",
        "submitted",
    )
    detail = client.get(initiative.get_absolute_url()).content.decode()
    assert "下書き → 提出済" in detail


def test_promoter_of_the_department_may_submit(client, proposer, promoter):
    initiative = make_initiative(proposer)
    client.force_login(promoter)
    client.post(reverse("initiatives:submit", args=[initiative.pk]), {"expected_status": "draft"})
    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED
    assert transitions(initiative).get().actor == promoter


def test_second_submit_of_the_same_item_is_refused(client, proposer):
    initiative = make_initiative(proposer)
    client.force_login(proposer)
    url = reverse("initiatives:submit", args=[initiative.pk])
    client.post(url, {"expected_status": "draft"})
    response = client.post(url, {"expected_status": "draft"}, follow=True)
    assert (
        "既に「提出済」" in response.content.decode()
        or "提出できません" in response.content.decode()
    )
    assert transitions(initiative).count() == 1


def test_withdraw_with_comment(client, proposer):
    initiative = make_initiative(proposer, status=S.SUBMITTED)
    client.force_login(proposer)
    client.post(
        reverse("initiatives:withdraw", args=[initiative.pk]),
        {"expected_status": "submitted", "comment": "別の事業で対応するため"},
    )
    initiative.refresh_from_db()
    assert initiative.status == S.WITHDRAWN
    event = transitions(initiative).latest("pk")
    assert (event.before["status"], event.after["status"], event.comment) == (
        "submitted",
        "withdrawn",
        "別の事業で対応するため",
    )


def test_transition_service_refuses_moves_outside_the_table(proposer):
    initiative = make_initiative(proposer, status=S.WITHDRAWN)
    with pytest.raises(services.TransitionError, match="取下げ"):
        services.transition(initiative, to=S.SUBMITTED, actor=proposer)
    assert transitions(initiative).count() == 1


# --- Concurrent edits -------------------------------------------------------------------------


def edit_data(initiative, **overrides):
    data = form_data(**overrides)
    data["version"] = str(initiative.version)
    data["milestones-TOTAL_FORMS"] = "0"
    data["cases-TOTAL_FORMS"] = "0"
    return data


def test_second_of_two_concurrent_edits_is_refused_showing_what_changed(client, proposer, promoter):
    initiative = make_initiative(proposer)
    opened_at = edit_data(initiative)  # both open the form at the same version
    url = reverse("initiatives:edit", args=[initiative.pk])

    client.force_login(promoter)
    first = client.post(url, {**opened_at, "title": "推進員の題名"})
    assert first.status_code == 302

    client.force_login(proposer)
    second = client.post(url, {**opened_at, "title": "提案者の題名"})
    assert second.status_code == 200
    html = second.content.decode()
    assert "他の人が先に保存したため、保存しませんでした" in html
    assert "坊さんが" in html  # who saved first
    assert "推進員の題名" in html  # what they changed
    assert 'value="提案者の題名"' in html  # the refused input is kept in the form
    initiative.refresh_from_db()
    assert initiative.title == "推進員の題名"


def test_edit_bumps_version_and_keeps_history(client, proposer):
    initiative = make_initiative(proposer)
    client.force_login(proposer)
    url = reverse("initiatives:edit", args=[initiative.pk])
    client.post(url, edit_data(initiative, title="新しい題名", content="新しい内容"))
    initiative.refresh_from_db()
    assert initiative.title == "新しい題名" and initiative.version == 2
    detail = client.get(initiative.get_absolute_url()).content.decode()
    assert "変更履歴" in detail
    history = re.search(r'<ol class="history">(.*?)</ol>', detail, re.S).group(1)
    assert "有栖" in history and "取組名" in history and "取組内容" in history


# --- Export -----------------------------------------------------------------------------------


def test_export_xlsx_holds_the_filtered_rows(client, proposer, reviewer):
    make_initiative(proposer, title='=HYPERLINK("http://evil")', status=S.SUBMITTED)
    make_initiative(proposer, title="キャッシュレス", status=S.SUBMITTED, policy_number=1)
    make_initiative(proposer, title="下書き", status=S.DRAFT)
    client.force_login(reviewer)
    response = client.get(reverse("initiatives:export_all_xlsx"), {"status": "submitted"})
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[0][:4] == ("ID", "取組名", "状態", "抽出経路")
    titles = {row[1] for row in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://evil")', "キャッシュレス"}
    assert all(row[2] == "提出済" for row in rows[1:])


def test_export_csv_starts_with_bom(client, proposer):
    make_initiative(proposer, title="@SUM(A1)", status=S.SUBMITTED)
    client.force_login(proposer)
    response = client.get(reverse("initiatives:export_all_csv"))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ID,取組名,状態")
    assert "'@SUM(A1)" in text


def test_export_respects_visibility(client, proposer, outsider):
    make_initiative(proposer, title="見えない下書き")
    client.force_login(outsider)
    text = b"".join(client.get(reverse("initiatives:export_all_csv")).streaming_content).decode()
    assert "見えない下書き" not in text


# --- List and filters -------------------------------------------------------------------------


def test_list_filters_keep_their_state_in_the_url(client, proposer, reviewer):
    make_initiative(proposer, title="電子申請の拡充", status=S.SUBMITTED)
    make_initiative(proposer, title="キャッシュレス決済", status=S.SUBMITTED, policy_number=1)
    client.force_login(reviewer)
    policy1 = PolicyEdition.objects.in_force().policies.get(number=1)
    response = client.get(reverse("initiatives:list"), {"policy": policy1.pk, "q": "決済"})
    html = response.content.decode()
    assert "キャッシュレス決済" in html and "電子申請の拡充" not in html
    assert f"policy={policy1.pk}" in html  # export links carry the filter


def test_keyword_searches_title_and_text(client, proposer, reviewer):
    make_initiative(proposer, title="題名", content="RPAで入力を自動化", status=S.SUBMITTED)
    make_initiative(proposer, title="別件", status=S.SUBMITTED)
    client.force_login(reviewer)
    html = client.get(reverse("initiatives:list"), {"q": "RPA"}).content.decode()
    assert "題名" in html and "別件" not in html


def test_list_pages_by_25(client, proposer, reviewer):
    for i in range(30):
        make_initiative(proposer, title=f"取組{i:02}", status=S.SUBMITTED, complete=False)
    client.force_login(reviewer)
    first = client.get(reverse("initiatives:list"), {"sort": "title"}).content.decode()
    second = client.get(reverse("initiatives:list"), {"sort": "title", "page": 2}).content.decode()
    assert "取組00" in first and "取組24" in first and "取組25" not in first
    assert "取組25" in second and "取組29" in second


def test_mine_and_department_scopes(client, proposer, promoter, outsider):
    make_initiative(proposer, title="有栖の提案", status=S.SUBMITTED)
    make_initiative(outsider, title="茶井の提案", status=S.SUBMITTED)
    client.force_login(promoter)
    mine = client.get(reverse("initiatives:mine")).content.decode()
    department = client.get(reverse("initiatives:department")).content.decode()
    assert "有栖の提案" not in mine
    assert "有栖の提案" in department and "茶井の提案" not in department


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    ["initiatives:list", "initiatives:export_all_xlsx", "initiatives:export_all_csv"],
)
def test_list_and_export_queries_do_not_grow(
    client, proposer, reviewer, url_name, django_assert_num_queries
):
    client.force_login(reviewer)
    for _ in range(3):
        make_initiative(proposer, status=S.SUBMITTED)
    few = count_queries(client, reverse(url_name), django_assert_num_queries)
    for _ in range(57):
        make_initiative(proposer, status=S.SUBMITTED)
    many = count_queries(client, reverse(url_name), django_assert_num_queries)
    assert few == many


def test_detail_queries_do_not_grow_with_the_number_of_initiatives(
    client, proposer, reviewer, django_assert_num_queries
):
    client.force_login(reviewer)
    target = make_initiative(proposer, status=S.SUBMITTED)
    for _ in range(2):
        make_initiative(proposer, status=S.SUBMITTED)
    few = count_queries(client, target.get_absolute_url(), django_assert_num_queries)
    for _ in range(57):
        make_initiative(proposer, status=S.SUBMITTED)
    assert count_queries(client, target.get_absolute_url(), django_assert_num_queries) == few


def test_detail_queries_do_not_grow_with_its_history(
    client, proposer, reviewer, django_assert_num_queries
):
    target = make_initiative(proposer)
    client.force_login(proposer)
    url = reverse("initiatives:edit", args=[target.pk])
    client.post(url, edit_data(target, title="一回目"))
    client.force_login(reviewer)
    few = count_queries(client, target.get_absolute_url(), django_assert_num_queries)
    client.force_login(proposer)
    for i in range(5):
        target.refresh_from_db()
        client.post(url, edit_data(target, title=f"変更{i}"))
    client.force_login(reviewer)
    assert count_queries(client, target.get_absolute_url(), django_assert_num_queries) == few


# --- Attachments ------------------------------------------------------------------------------


def attach(initiative, user):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        initiative=initiative,
        original_name="計画書.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=user,
    )
    attachment.file.save("計画書.pdf", ContentFile(PDF), save=True)
    return attachment


def test_attachment_download_is_checked_and_served_as_attachment(
    client, proposer, outsider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    initiative = make_initiative(proposer)
    attachment = attach(initiative, proposer)
    url = attachment.get_absolute_url()

    client.force_login(outsider)
    assert client.get(url).status_code == 404  # a draft of another department

    client.force_login(proposer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E8%A8%88%E7%94%BB%E6%9B%B8.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    initiative.status, initiative.submitted_at = S.SUBMITTED, initiative.created_at
    initiative.save()
    client.force_login(outsider)
    assert client.get(url).status_code == 200

    client.logout()
    assert client.get(url).status_code == 302


def test_attachment_of_another_initiative_is_404(client, proposer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    one = make_initiative(proposer)
    other = make_initiative(proposer)
    attachment = attach(one, proposer)
    client.force_login(proposer)
    url = reverse("initiatives:attachment", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_attachment_delete(
    client, proposer, outsider, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    initiative = make_initiative(proposer, status=S.SUBMITTED)
    attachment = attach(initiative, proposer)
    url = reverse("initiatives:attachment_delete", args=[initiative.pk, attachment.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 403
    client.force_login(proposer)
    assert client.post(url).status_code == 403  # submitted: no longer editable
    initiative.status = S.DRAFT
    initiative.save()
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Attachment.objects.exists()
    assert not (tmp_path / attachment.file.name).exists()


def test_files_are_removed_when_the_save_fails(client, proposer, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    # The audit event is the last write of a save: the files are on disk by then.
    monkeypatch.setattr("initiatives.services.audit.record", fail)
    client.force_login(proposer)
    data = form_data()
    data["new_files"] = [upload("a.pdf", PDF)]
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(reverse("initiatives:create"), data)
    assert Initiative.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("version", [None, "", "abc", "１", "-1"])
def test_an_edit_without_the_version_it_was_opened_at_is_refused(client, proposer, version):
    """Issue 15: optimistic locking is never skipped; nothing is saved, the input is kept."""
    initiative = make_initiative(proposer)
    data = edit_data(initiative, title="版数なしの題名")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    client.force_login(proposer)
    response = client.post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ページを開き直してから" in html and 'value="版数なしの題名"' in html
    initiative.refresh_from_db()
    assert initiative.title != "版数なしの題名" and initiative.version == 1
