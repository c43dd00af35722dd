"""What a city's master data may say about the shape of its flow.

`SUBMISSION_PARTS` are the parts of a proposal a city may require before it is submitted
(`flow.required_at_submission`); the initiatives app checks each. A city that says nothing
requires them all.
"""

SUBMISSION_PARTS = {
    "title": "取組名",
    "policy": "基本方針",
    "current_issues": "現状と課題",
    "content": "取組内容",
    "effect_citizens": "市民への効果",
    "effect_staff": "職員への効果",
    "staff_hours_saved": "削減できる職員の作業時間",
    "small_start_plan": "スモールスタートと軌道修正の計画",
    "initial_cost": "概算費用（初期）",
    "running_cost": "概算費用（運用・年額）",
    "funding_sources": "財源",
    "affected_departments": "影響する部署",
    "milestones": "スケジュール",
    "security": "セキュリティ上の考慮",
    "self_check": "チェックリストの自己チェック",
}
DEFAULT_REQUIRED = tuple(SUBMISSION_PARTS)

# Who may propose on a channel, besides a committee body's code.
PROPOSERS = ("staff", "secretariat")
