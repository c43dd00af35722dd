"""The loaded master data equals the policy; loading is idempotent and all-or-nothing."""

import datetime

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from policies.masterdata import MasterDataError, load, parse, read_file
from policies.models import (
    Body,
    Channel,
    Checklist,
    ChecklistItem,
    ComprehensivePlan,
    Department,
    ExampleInitiative,
    GlossaryTerm,
    Measure,
    Municipality,
    Policy,
    PolicyEdition,
)

from .conftest import MASTER_DATA

pytestmark = pytest.mark.django_db

EXAMPLES = {
    1: [
        "行政手続オンライン化の推進",
        "学校連絡オンライン化の推進",
        "キャッシュレス決済の推進",
        "道路損傷・不法投棄オンライン通報の導入",
        "オンライン相談窓口の導入",
        "申請書作成システム等によるスマート窓口の導入",
        "SNSと連携した行政サービスの拡充",
    ],
    2: [
        "基幹系システムの標準化・共通化",
        "職員教育の実施",
        "ペーパレスの推進",
        "WEB会議の推進",
        "テレワークの推進",
        "電子決裁の導入",
        "電子契約の導入",
        "データ共有化の推進（統合型GIS等）",
        "処分通知等のデジタル化",
        "DX推進体制の整備",
        "ビジネスチャットの導入",
        "AI及びRPAの活用推進",
    ],
    3: [
        "施設予約システム及び電子申請システムの見直し",
        "AIチャットボットの導入",
        "スマホ教室等のデジタルデバイド対策の実施",
        "母子健康手帳及び障害者手帳のデジタル化",
    ],
}
CHECKLIST = [
    "市民ニーズを的確にとらえているか。",
    "業務効率化に繋がる取組となっているか。",
    "予算措置等の調達準備から契約、運用開始までのスケジュールが適切に描かれているか。",
    "軌道修正しやすいように、スマートスタートする計画になっているか。",
    "調達や運用に係る費用を減らすため、共同調達、補助金・交付金の活用等について調査検討を行っているか。",
    "他自治体等において同様の事例はないか、ある場合、事例を研究したか。",
    "セキュリティについて、精査したか。",
    "方針1～3の趣旨と合致しているか。",
]
GLOSSARY = [
    "ICT",
    "RPA",
    "AI-OCR",
    "SNS",
    "第5世代移動通信システム（5G）",
    "デジタルトランスフォーメーション（DX）",
    "デジタル・デバイド",
    "マイナンバー（個人番号）カード",
]


def snapshot():
    """Every master-data row, as comparable tuples."""
    models = [
        PolicyEdition,
        Policy,
        ExampleInitiative,
        Checklist,
        ChecklistItem,
        Channel,
        Body,
        Department,
        GlossaryTerm,
        ComprehensivePlan,
        Measure,
    ]
    return {m.__name__: sorted(map(repr, m.objects.values_list())) for m in models}


def test_loaded_master_data_equals_the_policy(master_data):
    edition = PolicyEdition.objects.get(code="yachiyo-dx-2023")
    assert edition.title == "八千代市DX推進方針"
    assert (edition.start_fiscal_year, edition.end_fiscal_year) == (2023, 2025)

    policies = list(edition.policies.order_by("number"))
    assert [(p.number, p.name) for p in policies] == [
        (1, "ストレスフリーな市役所"),
        (2, "行政事務の効率化"),
        (3, "人に寄り添うデジタル化"),
    ]
    assert policies[0].description.startswith("数ある申請手続や相談等について")
    for policy in policies:
        titles = list(policy.examples.order_by("number").values_list("number", "title"))
        assert titles == list(enumerate(EXAMPLES[policy.number], start=1))
    assert ExampleInitiative.objects.filter(policy__edition=edition).count() == 23

    checklist = edition.current_checklist()
    assert checklist.version == 1
    assert list(checklist.items.order_by("number").values_list("number", "text")) == list(
        enumerate(CHECKLIST, start=1)
    )

    assert list(Channel.objects.values_list("name", "proposed_by", "committee__name")) == [
        ("各部署の課題", "staff", None),
        ("窓口の課題", "committee", "窓口あり方検討委員会"),
        ("組織横断的な課題", "secretariat", None),
    ]
    assert set(Body.objects.values_list("name", "kind")) == {
        ("八千代市情報化推進協議会", "council"),
        ("八千代市電子自治体推進本部", "headquarters"),
        ("窓口あり方検討委員会", "committee"),
    }
    assert list(GlossaryTerm.objects.values_list("term", flat=True)) == GLOSSARY
    plan = ComprehensivePlan.objects.get()
    assert (plan.name, plan.stage) == ("八千代市第5次総合計画", "前期基本計画")
    assert list(plan.measures.values_list("name", flat=True)) == ["スマート自治体の推進"]
    joho = Department.objects.get(code="joho-seisaku")
    assert joho.full_name == "企画部 情報政策課"


def test_loading_twice_changes_nothing(master_data):
    before = snapshot()
    result = load(read_file(MASTER_DATA))
    assert not result.changed
    assert snapshot() == before


def test_command_reports_no_change_the_second_time(master_data, capsys):
    call_command("load_master_data", str(MASTER_DATA))
    assert "変更はありません" in capsys.readouterr().out


def raw_data():
    return yaml.safe_load(MASTER_DATA.read_text(encoding="utf-8"))


def write(tmp_path, data, name="city.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_broken_file_is_rejected_whole_naming_each_place(db, tmp_path):
    data = raw_data()
    data["editions"][0]["policies"][1]["name"] = ""
    data["editions"][0]["checklists"][0]["items"][3] = 42
    data["glossary"][2].pop("description")
    path = write(tmp_path, data)
    with pytest.raises(CommandError) as exc:
        call_command("load_master_data", str(path))
    message = str(exc.value)
    assert "何も書き込んでいません" in message
    assert "editions[0].policies[1].name: 必須です" in message
    assert "editions[0].checklists[0].items[3]" in message
    assert "glossary[2].description: 必須です" in message
    assert PolicyEdition.objects.count() == 0
    assert Channel.objects.count() == 0
    assert GlossaryTerm.objects.count() == 0


def test_problem_found_while_writing_rolls_back_everything(db, tmp_path):
    data = raw_data()
    data["secretariat"]["department"] = "no-such-department"
    with pytest.raises(MasterDataError) as exc:
        load(read_file(write(tmp_path, data)))
    assert "secretariat.department: 所属「no-such-department」がありません" in str(exc.value)
    assert PolicyEdition.objects.count() == 0
    assert ExampleInitiative.objects.count() == 0
    assert Municipality.objects.count() == 0


def refused(tmp_path, data):
    """Load through the command; return its message, having checked nothing was written."""
    with pytest.raises(CommandError) as exc:
        call_command("load_master_data", str(write(tmp_path, data)))
    assert "何も書き込んでいません" in str(exc.value)
    for model in (Municipality, PolicyEdition, Body, Channel, Department):
        assert not model.objects.exists(), model
    return str(exc.value)


@pytest.mark.parametrize(
    ("change", "place"),
    [
        # Two deciding bodies: which one decides?
        (
            lambda d: d["bodies"].append({**d["bodies"][1], "code": "hq2", "name": "第二本部"}),
            "bodies[3].kind",
        ),
        # No deciding body at all.
        (lambda d: d["bodies"].pop(1), "bodies: 決定する会議体"),
        # Opinions asked for, but no body to give them.
        (lambda d: d["bodies"].pop(0), "flow.advisory_opinion"),
        # Two advisory bodies.
        (
            lambda d: d["bodies"].append({**d["bodies"][0], "code": "c2", "name": "第二協議会"}),
            "bodies[3].kind",
        ),
        # A channel proposed on by a body that is not a committee.
        (lambda d: d["channels"][1].update(proposed_by="headquarters"), "channels[1].proposed_by"),
        (lambda d: d["channels"][1].update(proposed_by="no-such-body"), "channels[1].proposed_by"),
        # The old way of naming who proposes.
        (
            lambda d: d["channels"][1].update(eligible_role="窓口あり方検討委員会"),
            "channels[1].eligible_role",
        ),
        (
            lambda d: d["flow"].update(required_at_submission=["title", "horoscope"]),
            "flow.required_at_submission[1]",
        ),
        (lambda d: d.pop("secretariat"), "secretariat: 必須です"),
    ],
)
def test_a_file_whose_bodies_cannot_carry_its_flow_is_refused_whole(db, tmp_path, change, place):
    data = raw_data()
    change(data)
    assert place in refused(tmp_path, data)


def test_a_city_without_an_advisory_body_says_so(db, tmp_path):
    data = raw_data()
    data["bodies"].pop(0)
    data["flow"]["advisory_opinion"] = False
    call_command("load_master_data", str(write(tmp_path, data)))
    assert not Municipality.objects.get().advisory_opinion


def test_members_must_have_accounts_and_are_loaded_with_the_file(db, tmp_path):
    from accounts.models import User

    data = raw_data()
    data["secretariat"]["members"] = ["nobody"]
    assert "secretariat.members[0]: アカウント「nobody」がありません" in refused(tmp_path, data)
    department = Department.objects.create(code="somewhere", name="どこかの課")
    User.objects.create_user(username="yamada", department=department)
    User.objects.create_user(username="ext", department=None)
    data["secretariat"]["members"] = ["yamada"]
    data["bodies"][0]["members"] = ["ext"]
    call_command("load_master_data", str(write(tmp_path, data)))
    yamada, ext = User.objects.get(username="yamada"), User.objects.get(username="ext")
    assert yamada.is_secretariat and not ext.is_secretariat
    assert ext.is_council_member and ext.is_external


def test_syntax_error_names_line(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("municipality: 八千代市\neditions: [\n  - oops: : :\n", encoding="utf-8")
    with pytest.raises(MasterDataError) as exc:
        read_file(path)
    assert "bad.yaml:" in str(exc.value) and "行" in str(exc.value)


def test_json_file_loads_too(db, tmp_path):
    import json

    path = tmp_path / "city.json"
    path.write_text(json.dumps(raw_data(), ensure_ascii=False, default=str), encoding="utf-8")
    load(read_file(path))
    assert ExampleInitiative.objects.count() == 23


def made_up_edition():
    """Another city's (or the next) edition: 2 policies, 3 examples, 5 checklist items."""
    return {
        "code": "next-2026",
        "title": "次期DX推進方針",
        "adopted_on": datetime.date(2026, 4, 1),
        "start_fiscal_year": 2026,
        "end_fiscal_year": 2030,
        "policies": [
            {
                "number": 1,
                "name": "データで動く市役所",
                "description": "説明A",
                "examples": ["オープンデータの拡充", "ダッシュボードの整備"],
            },
            {"number": 2, "name": "誰もが使える窓口", "examples": ["書かない窓口"]},
        ],
        "checklists": [{"version": 1, "items": ["A", "B", "C", "D", "E"]}],
    }


def test_second_edition_coexists_and_leaves_the_first_unchanged(master_data, tmp_path):
    before = snapshot()
    data = raw_data()
    data["editions"].append(made_up_edition())
    load(read_file(write(tmp_path, data)))

    old = PolicyEdition.objects.get(code="yachiyo-dx-2023")
    new = PolicyEdition.objects.get(code="next-2026")
    assert old.policies.count() == 3 and new.policies.count() == 2
    assert ExampleInitiative.objects.filter(policy__edition=old).count() == 23
    assert ExampleInitiative.objects.filter(policy__edition=new).count() == 3
    assert old.current_checklist().items.count() == 8
    assert new.current_checklist().items.count() == 5
    after = snapshot()
    for model in ("Policy", "ExampleInitiative", "ChecklistItem"):
        assert set(before[model]) <= set(after[model])

    # The edition in force is the latest adopted by a date, beyond its nominal period.
    assert PolicyEdition.objects.in_force(datetime.date(2024, 1, 1)) == old
    assert PolicyEdition.objects.in_force(datetime.date(2026, 3, 31)) == old
    assert PolicyEdition.objects.in_force(datetime.date(2026, 4, 1)) == new
    assert PolicyEdition.objects.in_force(datetime.date(2023, 11, 30)) is None


def test_loaded_edition_cannot_be_rewritten(master_data, tmp_path):
    before = snapshot()
    data = raw_data()
    data["editions"][0]["policies"][0]["examples"][0] = "書き換えた取組例"
    with pytest.raises(MasterDataError) as exc:
        load(read_file(write(tmp_path, data)))
    assert "読み込み済みの版は変更できません" in str(exc.value)
    assert "方針1" in str(exc.value)
    assert snapshot() == before


def test_new_checklist_version_is_added_beside_the_old_one(master_data, tmp_path):
    data = raw_data()
    checklists = data["editions"][0]["checklists"]
    checklists.append({"version": 2, "items": [*CHECKLIST, "データの利活用を検討したか。"]})
    load(read_file(write(tmp_path, data)))
    edition = PolicyEdition.objects.get(code="yachiyo-dx-2023")
    assert edition.current_checklist().version == 2
    assert edition.current_checklist().items.count() == 9
    assert edition.checklists.get(version=1).items.count() == 8


def test_inactive_flag_and_hierarchy_depth(db):
    data = raw_data()
    data["departments"][0]["children"][0]["children"] = [{"code": "x", "name": "係"}]
    with pytest.raises(MasterDataError) as exc:
        parse(data)
    assert "departments[0].children[0].children: 所属は部 > 課の2階層までです" in str(exc.value)
