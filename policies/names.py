"""What the city calls the parts of its policy, for every page, message and mail.

`city()` reads them from the master data (the municipality's names and flow, and its bodies),
kept in the shared cache (core.cache), once per request or core.cache.memo_scope; elsewhere (mail
sent by a command, a management task) when asked. Where the city has not named something, a
plain word of the function stands in (事務局, 方針), never another city's name.
"""

import dataclasses

from core import cache as shared_cache

from .models import Body, Municipality


@dataclasses.dataclass(frozen=True)
class CityNames:
    municipality: str = ""
    document: str = "方針"
    secretariat: str = "事務局"
    promoter: str = "推進担当者"
    former_plan: str = ""
    advisory: str = ""  # the body that gives opinions; empty when the city has none
    advisory_short: str = ""
    decision: str = "決定する会議体"
    decision_short: str = "会議体"
    advisory_opinion: bool = True
    required_at_submission: tuple = ()

    @property
    def portal(self):
        return f"{self.municipality}DX推進ポータル"

    @property
    def opinion_step(self):
        """Whether planned items go to an advisory body before the decision."""
        return self.advisory_opinion and bool(self.advisory)

    @property
    def planned_route(self):
        """Where a planned item goes, in the city's own names:
        「<advisory_short>・<decision_short>へ」."""
        if self.opinion_step:
            return f"{self.advisory_short}・{self.decision_short}"
        return self.decision_short


def _read() -> CityNames:
    municipality = Municipality.objects.order_by("pk").first()
    bodies = {}
    for body in Body.objects.filter(kind__in=[Body.Kind.COUNCIL, Body.Kind.HEADQUARTERS]).order_by(
        "-order", "-pk"
    ):
        bodies[body.kind] = body  # the first in display order wins
    values = {}
    if municipality is not None:
        values = {
            "municipality": municipality.name,
            "document": municipality.document_name,
            "secretariat": municipality.secretariat_name,
            "promoter": municipality.promoter_title,
            "former_plan": municipality.former_plan_name,
            "advisory_opinion": municipality.advisory_opinion,
            "required_at_submission": tuple(municipality.required_at_submission or ()),
        }
    advisory, decision = bodies.get(Body.Kind.COUNCIL), bodies.get(Body.Kind.HEADQUARTERS)
    if advisory is not None:
        values.update(advisory=advisory.name, advisory_short=advisory.label)
    if decision is not None:
        values.update(decision=decision.name, decision_short=decision.label)
    # An empty name in the data means "not named": the plain word stays.
    return CityNames(**{k: v for k, v in values.items() if v not in ("", None)})


def city() -> CityNames:
    """The city's names: every page shows them and they change only with the master data."""
    return shared_cache.per_request("city:names", lambda: shared_cache.shared("city:names", _read))
