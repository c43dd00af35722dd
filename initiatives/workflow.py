"""The table of allowed transitions: the one place that says who may move an initiative where.

An actor is a role name (accounts.roles) or one of the relations below. `services.transition`
enforces the table; views only ask it which actions to offer.
"""

from dataclasses import dataclass

from accounts import roles

from .models import Initiative

S = Initiative.Status

PROPOSER = "proposer"  # the initiative's proposer
PROMOTER = "promoter"  # a DX推進員 of the initiative's proposing department


@dataclass(frozen=True)
class Rule:
    source: str
    target: str
    actors: frozenset
    label: str
    comment_required: bool = False


def _rule(source, target, actors, label, **kw):
    return Rule(source, target, frozenset(actors), label, **kw)


OWNERS = (PROPOSER, PROMOTER)

RULES = (
    # 抽出: the proposer (or the department's DX推進員) submits or withdraws.
    _rule(S.DRAFT, S.SUBMITTED, OWNERS, "提出する"),
    _rule(S.RETURNED, S.SUBMITTED, OWNERS, "再提出する"),
    # 取下げ: before a decision only.
    *(
        _rule(source, S.WITHDRAWN, OWNERS, "取り下げる")
        for source in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED)
    ),
)

TABLE = {(r.source, r.target): r for r in RULES}

# States in which the proposer and the department's DX推進員 may edit the content.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


def rule_for(source, target) -> Rule | None:
    return TABLE.get((source, target))


def is_actor(user, initiative, actors) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if PROPOSER in actors and initiative.proposer_id == user.pk:
        return True
    if (
        PROMOTER in actors
        and user.department_id == initiative.department_id
        and user.has_role(roles.DX_PROMOTER)
    ):
        return True
    return user.has_role(*(a for a in actors if a not in (PROPOSER, PROMOTER)))


def available(user, initiative) -> list[Rule]:
    """The transitions this user may take from the initiative's current state."""
    return [
        r for r in RULES if r.source == initiative.status and is_actor(user, initiative, r.actors)
    ]
