"""What a proposal must say before it is submitted: the parts the city's flow requires
(policies.flow.SUBMISSION_PARTS, chosen in its master data)."""

from policies.flow import SUBMISSION_PARTS
from policies.names import city

# Parts held in a field of the initiative; the others are checked below.
FIELD_PARTS = (
    "title",
    "policy",
    "current_issues",
    "content",
    "effect_citizens",
    "effect_staff",
    "staff_hours_saved",
    "small_start_plan",
    "initial_cost",
    "running_cost",
    "security",
)


def required_parts():
    return city().required_at_submission or tuple(SUBMISSION_PARTS)


def submission_problems(initiative) -> list[tuple[str, str]]:
    """Everything missing before an initiative can be submitted, all at once (a few queries):
    [(field name, message)]."""
    required = required_parts()
    problems = []
    for name in FIELD_PARTS:
        value = getattr(initiative, name)
        if name in required and (value is None or (isinstance(value, str) and not value.strip())):
            problems.append((name, f"{SUBMISSION_PARTS[name]}を入力してください。"))
    if "funding_sources" in required and not initiative.funding_sources:
        problems.append(("funding_sources", "財源を1つ以上選んでください。"))
    if "affected_departments" in required and not initiative.affected_departments.exists():
        problems.append(("affected_departments", "影響する部署を1つ以上選んでください。"))
    if "milestones" in required and not initiative.milestones.exists():
        problems.append(
            ("milestones", "スケジュールを1件以上入力してください（予算措置から運用開始まで）。")
        )
    if "self_check" in required:
        problems += _self_check_problems(initiative)
    return problems


def _self_check_problems(initiative):
    checklist = initiative.edition.current_checklist()
    if checklist is None:
        return []
    answered = set(
        initiative.self_check.filter(item__checklist=checklist).values_list(
            "item__number", flat=True
        )
    )
    missing = [n for n in checklist.items.values_list("number", flat=True) if n not in answered]
    if not missing:
        return []
    numbers = "、".join(str(n) for n in missing)
    return [("self_check", f"自己チェックの項目{numbers}に回答してください。")]
