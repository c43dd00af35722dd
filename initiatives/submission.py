"""What a proposal must say before it is submitted."""

# Field -> the words the message uses (shorter than some form labels).
REQUIRED_AT_SUBMISSION = {
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
    "security": "セキュリティ上の考慮",
}


def submission_problems(initiative) -> list[tuple[str, str]]:
    """Everything missing before an initiative can be submitted, all at once (a few queries):
    [(field name, message)]."""
    problems = []
    for name, label in REQUIRED_AT_SUBMISSION.items():
        value = getattr(initiative, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((name, f"{label}を入力してください。"))
    if not initiative.funding_sources:
        problems.append(("funding_sources", "財源を1つ以上選んでください。"))
    if not initiative.affected_departments.exists():
        problems.append(("affected_departments", "影響する部署を1つ以上選んでください。"))
    if not initiative.milestones.exists():
        problems.append(
            ("milestones", "スケジュールを1件以上入力してください（予算措置から運用開始まで）。")
        )
    checklist = initiative.edition.current_checklist()
    if checklist is not None:
        answered = set(
            initiative.self_check.filter(item__checklist=checklist).values_list(
                "item__number", flat=True
            )
        )
        missing = [n for n in checklist.items.values_list("number", flat=True) if n not in answered]
        if missing:
            numbers = "、".join(str(n) for n in missing)
            problems.append(("self_check", f"自己チェックの項目{numbers}に回答してください。"))
    return problems
