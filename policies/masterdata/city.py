"""The parts of a master-data file that say how the city runs its policy: what it calls things
(`names`), who acts as its secretariat, the shape of its flow, and whether its bodies can carry
that flow. Checked with the rest of the file by schema.parse."""

from ..flow import DEFAULT_REQUIRED, PROPOSERS, SUBMISSION_PARTS
from ..models import Body

COUNCIL, HEADQUARTERS, COMMITTEE = Body.Kind.COUNCIL, Body.Kind.HEADQUARTERS, Body.Kind.COMMITTEE


def names(r, raw):
    data = r.mapping(raw.get("names") or {}, "names")
    return {
        "document": r.text(data, "document", "names", max_length=100),
        "promoter": r.text(data, "promoter", "names", required=False, max_length=50),
        "former_plan": r.text(data, "former_plan", "names", required=False, max_length=100),
    }


def usernames(r, data, where):
    """A list of account names (`members`), checked to be text; accounts are matched later."""
    out = []
    for i, name in enumerate(r.items(data, "members", where, required=False)):
        if not isinstance(name, str) or not name.strip():
            r.fail(f"{where}.members[{i}]", "ユーザー名（文字列）である必要があります")
            continue
        out.append(name.strip())
    return out


def secretariat(r, raw):
    if raw.get("secretariat") is None:
        r.fail("secretariat", "必須です（事務局の名称 name と、その所属 department）")
    data = r.mapping(raw.get("secretariat") or {}, "secretariat")
    return {
        "name": r.text(data, "name", "secretariat", max_length=100),
        "department": r.text(data, "department", "secretariat", required=False, max_length=50),
        "members": usernames(r, data, "secretariat"),
    }


def flow(r, raw):
    data = r.mapping(raw.get("flow") or {}, "flow")
    advisory = data.get("advisory_opinion", True)
    if not isinstance(advisory, bool):
        r.fail("flow.advisory_opinion", "true または false である必要があります")
        advisory = True
    required = data.get("required_at_submission")
    if required is None:
        required = list(DEFAULT_REQUIRED)
    elif not isinstance(required, list):
        r.fail("flow.required_at_submission", "一覧（- で始まる行）である必要があります")
        required = []
    for i, part in enumerate(required):
        if part not in SUBMISSION_PARTS:
            r.fail(
                f"flow.required_at_submission[{i}]",
                f"「{part}」は提出時に確かめられる項目ではありません"
                f"（{', '.join(SUBMISSION_PARTS)} のいずれか）",
            )
    return {"advisory_opinion": advisory, "required_at_submission": required}


def check_bodies_carry_the_flow(r, out):
    """One body that decides; one that gives opinions where the flow asks for opinions; a
    committee for every channel a committee proposes on."""
    kinds = {}
    for i, body in enumerate(out["bodies"]):
        kinds.setdefault(body["kind"], []).append(i)
    deciding = kinds.get(HEADQUARTERS, [])
    if not deciding:
        r.fail("bodies", "決定する会議体（kind: headquarters）が1つ必要です")
    for i in deciding[1:]:
        r.fail(f"bodies[{i}].kind", "決定する会議体（headquarters）は1つだけにしてください")
    advising = kinds.get(COUNCIL, [])
    if out["flow"]["advisory_opinion"] and not advising:
        r.fail(
            "flow.advisory_opinion",
            "意見を聴く会議体（kind: council）がありません。置かない場合は advisory_opinion: false にしてください",
        )
    for i in advising[1:]:
        r.fail(f"bodies[{i}].kind", "意見を聴く会議体（council）は1つだけにしてください")
    committees = {out["bodies"][i]["code"] for i in kinds.get(COMMITTEE, [])}
    for i, channel in enumerate(out["channels"]):
        who = channel["proposed_by"]
        if who and who not in PROPOSERS and who not in committees:
            r.fail(
                f"channels[{i}].proposed_by",
                f"「{who}」は staff、secretariat、または委員会（kind: committee）の識別子である必要があります",
            )
