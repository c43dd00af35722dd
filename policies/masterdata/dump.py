"""An edition as the master-data file writes it, so that one built in the portal can be kept
in the city's file (and loading that file gives the same records)."""

from ..models import PolicyEdition


def edition_data(edition: PolicyEdition) -> dict:
    data = {
        "code": edition.code,
        "title": edition.title,
        "adopted_on": edition.adopted_on,
        "start_fiscal_year": edition.start_fiscal_year,
        "end_fiscal_year": edition.end_fiscal_year,
    }
    if edition.based_on_id:
        data["based_on"] = edition.based_on.code
    for field in ("issuer", "note"):
        if getattr(edition, field):
            data[field] = getattr(edition, field)
    data["policies"] = []
    policies = edition.policies.select_related("continues").prefetch_related(
        "examples__continues__policy"
    )
    for p in policies.order_by("number"):
        policy = {"number": p.number, "name": p.name}
        if p.description:
            policy["description"] = p.description
        if p.continues_id:
            policy["continues"] = p.continues.number
        examples = []
        for place, x in enumerate(sorted(p.examples.all(), key=lambda x: x.number), start=1):
            refs = sorted(f"{c.policy.number}-{c.number}" for c in x.continues.all())
            entry = {"title": x.title}
            if x.number != place:  # numbers with gaps are written out
                entry["number"] = x.number
            if refs:
                entry["continues"] = refs
            examples.append(entry if len(entry) > 1 else x.title)
        policy["examples"] = examples
        data["policies"].append(policy)
    data["checklists"] = [
        {
            "version": c.version,
            "title": c.title,
            "items": [
                i.text if i.number == place else {"number": i.number, "text": i.text}
                for place, i in enumerate(c.items.order_by("number"), start=1)
            ],
        }
        for c in edition.checklists.order_by("version").prefetch_related("items")
    ]
    return data
