"""An initiative's states, the groups of states the portal acts on, and the table of allowed
transitions: the one place that says which state means what and who may move an item where.

An actor is a role name (accounts.roles) or one of the relations below. `services.transition`
enforces the table; views only ask it which actions to offer. Every other app reads the state
groups from here instead of listing states of its own.
"""

from dataclasses import dataclass

from django.db import models

from accounts import roles
from policies.models import Body
from policies.names import city


class InitiativeStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "提出済"
    UNDER_REVIEW = "under_review", "審査中"
    RETURNED = "returned", "差戻し"
    CONSOLIDATED = "consolidated", "統合済"
    DEPARTMENT_LED = "department_led", "所管課推進"
    # Shown with the names of the city's bodies (status_label):
    # 「<advisory_short>付議」「<decision_short>審議」.
    COUNCIL = "council", "意見聴取"
    HQ_REVIEW = "hq_review", "審議"
    DEFERRED = "deferred", "継続審議"
    DECIDED = "decided", "決定"
    REJECTED = "rejected", "不採択"
    PLANNED = "planned", "実施計画登載"
    IN_PROGRESS = "in_progress", "推進中"
    COMPLETED = "completed", "完了"
    CANCELLED = "cancelled", "中止"
    WITHDRAWN = "withdrawn", "取下げ"


S = InitiativeStatus

# --- Groups of states ---------------------------------------------------------------------------

# The proposer and the department's DX推進員 may edit the content.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# The secretariat may review, return or consolidate; its inbox lists them.
REVIEWABLE = (S.SUBMITTED, S.UNDER_REVIEW)
INBOX_STATES = REVIEWABLE
# The owners may withdraw until the HQ has decided.
BEFORE_DECISION = (
    S.DRAFT,
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.RETURNED,
    S.COUNCIL,
    S.HQ_REVIEW,
    S.DEFERRED,
)
# Can be placed in a 実施計画 edition.
PLACEABLE = (S.DECIDED, S.DEPARTMENT_LED)
# Followed up with PDCA reports.
ACTIVE = (S.PLANNED, S.IN_PROGRESS)
# Only what the city has decided to do (or lets a department do) can be shown to citizens.
PUBLISHABLE = (
    S.DECIDED,
    S.DEPARTMENT_LED,
    S.PLANNED,
    S.IN_PROGRESS,
    S.COMPLETED,
    S.CANCELLED,
)
# State changes citizens see on the public timeline (date and state only).
PUBLIC_EVENTS = PUBLISHABLE
# The states as citizens read them: what the city does, not how its procedure calls it.
PUBLIC_LABELS = {
    S.DECIDED: "実施が決まりました",
    S.DEPARTMENT_LED: "実施が決まりました",
    S.PLANNED: "計画に沿って準備中",
    S.IN_PROGRESS: "実施中",
    S.COMPLETED: "完了",
    S.CANCELLED: "中止",
}
# Not worth pointing at as a similar proposal: unfinished, withdrawn or already merged.
NOT_SIMILAR = (S.DRAFT, S.WITHDRAWN, S.CONSOLIDATED)
# Which states an item must be in to go on the agenda of a body of each kind; a body of a kind
# not listed (a committee) may discuss what is being reviewed.
AGENDA_STATES = {
    Body.Kind.COUNCIL: (S.COUNCIL,),
    Body.Kind.HEADQUARTERS: (S.HQ_REVIEW, S.DEFERRED),
}
AGENDA_STATES_OTHER = REVIEWABLE

# The colour of a state's badge: stopped, finished (or decided), draft-like, or in motion.
TONES = {
    S.DRAFT: "draft",
    S.CONSOLIDATED: "draft",
    S.WITHDRAWN: "stopped",
    S.REJECTED: "stopped",
    S.CANCELLED: "stopped",
    S.COMPLETED: "done",
    S.DECIDED: "done",
    S.PLANNED: "done",
}


def tone(status) -> str:
    return TONES.get(status, "active")


def status_label(status, names=None) -> str:
    """A state as people read it; the bodies' states carry the city's names for them."""
    names = names or city()
    if status == S.COUNCIL:
        return f"{names.advisory_short}付議" if names.advisory_short else S.COUNCIL.label
    if status == S.HQ_REVIEW:
        return f"{names.decision_short}審議"
    return S(status).label


def status_choices(names=None):
    names = names or city()
    return [(value, status_label(value, names)) for value in S.values]


def planned_target(names=None):
    """Where an item classified as needing planned promotion goes: to the body that gives
    opinions, or, in a city whose flow has none, straight to the one that decides."""
    names = names or city()
    return S.COUNCIL if names.opinion_step else S.HQ_REVIEW


def agenda_states(body_kind):
    return AGENDA_STATES.get(body_kind, AGENDA_STATES_OTHER)


# --- The transition table -----------------------------------------------------------------------

PROPOSER = "proposer"  # the initiative's proposer
PROMOTER = "promoter"  # a DX推進員 of the initiative's proposing department
OWNERS = (PROPOSER, PROMOTER)
SECRETARIAT = roles.SECRETARIAT


@dataclass(frozen=True)
class Rule:
    source: str
    target: str
    actors: frozenset
    label: str
    comment_required: bool = False
    # Transitions that write more than the state (a classification, a decision...) name the
    # service that takes them; `services.transition` refuses them to anyone else.
    service: str = ""


def _rule(source, target, actors, label, **kw):
    return Rule(source, target, frozenset(actors), label, **kw)


RULES = (
    # 1. 抽出: the proposer (or the department's DX推進員) submits; resubmits after 差戻し.
    _rule(S.DRAFT, S.SUBMITTED, OWNERS, "提出する", service="submit"),
    _rule(S.RETURNED, S.SUBMITTED, OWNERS, "再提出する", service="submit"),
    # 2. 取りまとめ: the secretariat takes it up, returns it, or merges it into another.
    _rule(S.SUBMITTED, S.UNDER_REVIEW, [SECRETARIAT], "審査を開始する", service="review"),
    *(
        _rule(
            source, S.RETURNED, [SECRETARIAT], "差し戻す", comment_required=True, service="review"
        )
        for source in REVIEWABLE
    ),
    *(
        _rule(source, S.CONSOLIDATED, [SECRETARIAT], "統合する", service="consolidate")
        for source in REVIEWABLE
    ),
    # Undoing a consolidation before its review starts: the originals come back to the inbox
    # and an item the consolidation created is set aside (kept, as every record is).
    _rule(S.CONSOLIDATED, S.SUBMITTED, [SECRETARIAT], "統合を取り消す", service="unconsolidate"),
    # 3. Classification after the checklist review.
    _rule(
        S.UNDER_REVIEW,
        S.DEPARTMENT_LED,
        [SECRETARIAT],
        "所管課推進とする",
        comment_required=True,
        service="classify",
    ),
    # Planned promotion: to the body that gives opinions, or straight to the one that decides
    # where the city's flow has none (planned_target).
    *(
        _rule(
            S.UNDER_REVIEW,
            target,
            [SECRETARIAT],
            "計画的推進が必要とする",
            comment_required=True,
            service="classify",
        )
        for target in (S.COUNCIL, S.HQ_REVIEW)
    ),
    # 4. The council gives its opinion; the HQ decides, possibly at a later meeting.
    _rule(
        S.COUNCIL,
        S.HQ_REVIEW,
        [SECRETARIAT, roles.COUNCIL],
        "意見・提言を記録する",
        service="opinion",
    ),
    *(
        _rule(
            source,
            target,
            [SECRETARIAT, roles.HEADQUARTERS],
            label,
            comment_required=True,
            service="decision",
        )
        for source in (S.HQ_REVIEW, S.DEFERRED)
        for target, label in (
            (S.DECIDED, "決定する"),
            (S.REJECTED, "不採択とする"),
            (S.DEFERRED, "継続審議とする"),
        )
    ),
    # A decision recorded wrongly is corrected (with its reason) while nothing has followed it.
    *(
        _rule(
            source,
            target,
            [SECRETARIAT, roles.HEADQUARTERS],
            "決定を訂正する",
            comment_required=True,
            service="decision",
        )
        for source in (S.DECIDED, S.REJECTED)
        for target in (S.DECIDED, S.REJECTED, S.DEFERRED)
        if source != target
    ),
    # 5.–6. Placement in the 実施計画 and follow-up.
    *(
        _rule(source, S.PLANNED, [SECRETARIAT], "実施計画に位置付ける", service="plan")
        for source in PLACEABLE
    ),
    # Items of the former plan continue: registered straight into the plan.
    _rule(S.DRAFT, S.PLANNED, [SECRETARIAT], "旧計画から継続登録する", service="continue"),
    _rule(S.DEPARTMENT_LED, S.IN_PROGRESS, [*OWNERS, SECRETARIAT], "推進を開始する"),
    _rule(S.PLANNED, S.IN_PROGRESS, [*OWNERS, SECRETARIAT], "推進を開始する"),
    _rule(S.IN_PROGRESS, S.COMPLETED, [SECRETARIAT], "完了とする", comment_required=True),
    _rule(S.IN_PROGRESS, S.CANCELLED, [SECRETARIAT], "中止とする", comment_required=True),
    _rule(S.PLANNED, S.CANCELLED, [SECRETARIAT], "中止とする", comment_required=True),
    # 7. 取下げ: by the owners, before a decision only.
    *(
        _rule(source, S.WITHDRAWN, OWNERS, "取り下げる", service="withdraw")
        for source in BEFORE_DECISION
    ),
    _rule(S.SUBMITTED, S.WITHDRAWN, [SECRETARIAT], "統合を取り消す", service="unconsolidate"),
)

# Most moves have one rule; a move two services make for different people (取下げ by the
# owners, or by the secretariat undoing its consolidation) has one rule each.
TABLE = {}
for _r in RULES:
    TABLE.setdefault((_r.source, _r.target), []).append(_r)


def rules_for(source, target) -> list[Rule]:
    return TABLE.get((source, target), [])


def rule_for(source, target, service=None) -> Rule | None:
    """The rule of this move (taken by `service`, if given; else the first, the usual one)."""
    rules = rules_for(source, target)
    if service is not None:
        rules = [r for r in rules if r.service == service]
    return rules[0] if rules else None


def is_actor(user, initiative, actors) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if PROPOSER in actors and initiative.proposer_id == user.pk:
        return True
    if (
        PROMOTER in actors
        and user.department_id == initiative.department_id
        and user.is_dx_promoter
    ):
        return True
    return user.has_role(*(a for a in actors if a not in (PROPOSER, PROMOTER)))


def available(user, initiative) -> list[Rule]:
    """The transitions this user may take from the initiative's current state."""
    return [
        r for r in RULES if r.source == initiative.status and is_actor(user, initiative, r.actors)
    ]
