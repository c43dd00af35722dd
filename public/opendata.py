"""The open data: the fields of the published initiatives, as CSV columns and JSON keys, with
the description docs/opendata.md and the open data page give of each."""

import dataclasses
from collections.abc import Callable

from .projection import PublicInitiative


@dataclasses.dataclass(frozen=True)
class Field:
    key: str  # JSON key
    header: str  # CSV column
    type: str  # 整数 / 文字列, "（空欄あり）" when it may be missing
    description: str
    get: Callable[[PublicInitiative, Callable[[str], str]], object]


def _latest(attr):
    def get(r, _url):
        report = r.latest_report
        value = getattr(report, attr) if report else None
        return None if value in (None, "") else value

    return get


FIELDS = (
    Field("id", "ID", "整数", "取組項目の番号。詳細ページのURLにも使われます。", lambda r, _: r.pk),
    Field("title", "取組名", "文字列", "取組の名称。", lambda r, _: r.title),
    Field(
        "summary",
        "概要",
        "文字列",
        "取組の内容を平易な言葉で説明したもの（市が公開用に作成）。",
        lambda r, _: r.summary,
    ),
    Field(
        "status",
        "状態コード",
        "文字列",
        "取組の状態を表す英字の記号。decided・department_led（実施が決まりました）、"
        "planned（計画に沿って準備中）、in_progress（実施中）、completed（完了）、cancelled（中止）のいずれか。",
        lambda r, _: r.status,
    ),
    Field("status_label", "状態", "文字列", "取組の状態（日本語）。", lambda r, _: r.status_label),
    Field(
        "policy_number",
        "基本方針番号",
        "整数（空欄あり）",
        "取組が位置付けられた方針の基本方針の番号。未分類の場合は空欄（JSONではnull）。",
        lambda r, _: r.policy_number,
    ),
    Field(
        "policy_name",
        "基本方針",
        "文字列（空欄あり）",
        "基本方針の名称。未分類の場合は空欄（JSONではnull）。",
        lambda r, _: r.policy_name or None,
    ),
    Field(
        "department",
        "担当部署",
        "文字列",
        "取組を担当する部署の名称（実施計画に位置付けられたものはその担当課、それ以外は提案した部署）。",
        lambda r, _: r.department,
    ),
    Field(
        "plan_title",
        "実施計画",
        "文字列（空欄あり）",
        "取組が位置付けられている総合計画実施計画の名称（最新のもの）。位置付けがない場合は空欄（JSONではnull）。",
        lambda r, _: r.plan_title or None,
    ),
    Field(
        "budget_total",
        "予算額合計（円）",
        "整数（空欄あり）",
        "実施計画の現在の計画（最新の改定）に記載された年度別予算額の合計（円）。位置付けがない場合は空欄（JSONではnull）。",
        lambda r, _: r.budget_total,
    ),
    Field(
        "report_fiscal_year",
        "進捗報告の年度",
        "整数（空欄あり）",
        "市が確認した最新の進捗報告の年度（西暦の年度。例: 2026は令和8年度）。報告がない場合は空欄（JSONではnull）。",
        _latest("fiscal_year"),
    ),
    Field(
        "report_period",
        "進捗報告の期間",
        "文字列（空欄あり）",
        "最新の進捗報告の期間。通年、上半期、下半期のいずれか。報告がない場合は空欄（JSONではnull）。",
        _latest("period_label"),
    ),
    Field(
        "progress_percent",
        "進捗率（％）",
        "整数（空欄あり）",
        "最新の確認済み進捗報告の進捗率（0〜100）。実施計画に位置付けず所属で進める取組は、"
        "最新の進捗の記録の進捗率。どちらもない場合は空欄（JSONではnull）。",
        lambda r, _: r.latest_progress,
    ),
    Field(
        "evaluation",
        "評価コード",
        "文字列（空欄あり）",
        "最新の確認済み進捗報告の評価。A（順調）、B（おおむね順調）、C（遅れ）、D（大幅遅れ）のいずれか。報告がない場合は空欄（JSONではnull）。",
        _latest("evaluation"),
    ),
    Field(
        "evaluation_label",
        "評価",
        "文字列（空欄あり）",
        "評価の日本語表記（例:「B おおむね順調」）。報告がない場合は空欄（JSONではnull）。",
        _latest("evaluation_label"),
    ),
    Field(
        "url",
        "詳細ページURL",
        "文字列",
        "この取組の公開ページのURL。",
        lambda r, absolute: absolute(r.get_absolute_url()),
    ),
)
CSV_HEADERS = [f.header for f in FIELDS]


def rows(records, absolute) -> list[dict]:
    """{key: value} per record; `absolute` turns a path into an absolute URL."""
    return [{f.key: f.get(r, absolute) for f in FIELDS} for r in records]
