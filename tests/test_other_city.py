"""Another city runs the whole cycle through the pages, with its own bodies and names.

みどり野市 (tests/data/other_city.yaml) has no advisory body, a committee of its own that
proposes on a channel, a secretariat called デジタル推進室 and a four-item checklist. Its
database holds only its own data. Each step is taken by the person whose job it is, through
the pages; every page they see, every page of the URL configuration as each of them, and every
mail sent are read, and none may carry a name of 八千代市's that this city does not have.
"""

import datetime
import re
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import roles
from initiatives.models import Initiative
from plans.models import ImplementationPlan, PlanEntry, ProgressReport, ReportSchedule
from plans.services import send_reminders
from policies.masterdata import load, read_file
from policies.models import Body, Channel, ComprehensivePlan, Department, PolicyEdition
from reviews.models import AgendaItem, Meeting

from .conftest import ROOT, make_user

OTHER = ROOT / "tests" / "data" / "other_city.yaml"
S = Initiative.Status

# Words the code once carried of 八千代市 (they must now come from data, and this city has none
# of them); the names in 八千代市's own file are added below.
YACHIYO_WORDS = {
    "八千代",
    "情報政策課",
    "電子自治体推進本部",
    "情報化推進協議会",
    "協議会",
    "推進本部",
    "窓口あり方検討委員会",
    "DX推進方針",
    "DX推進員",
    "DX推進チェックリスト",
    "ICT利活用推進計画",
    "外部委員",
}


def yachiyo_names():
    """Every name 八千代市's master data gives, less what みどり野市 happens to share."""
    data = yaml.safe_load((ROOT / "data" / "yachiyo.yaml").read_text(encoding="utf-8"))
    words = set(YACHIYO_WORDS)
    words |= {data["municipality"], data["secretariat"]["name"], *data["names"].values()}
    for body in data["bodies"]:
        words |= {body["name"], body.get("short_name") or body["name"]}
    for edition in data["editions"]:
        words.add(edition["title"])
        words |= {p["name"] for p in edition["policies"]}
        words |= {c.get("title", "") for c in edition["checklists"]}
    for department in data["departments"]:
        words.add(department["name"])
        words |= {c["name"] for c in department.get("children", [])}
    for plan in data["comprehensive_plans"]:
        words |= {plan["name"], *(m["name"] for m in plan["measures"])}
    own = Path(OTHER).read_text(encoding="utf-8")
    return {w for w in words if w and w not in own}


@pytest.fixture
def city(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Group.objects.get_or_create(name=roles.ADMIN_GROUP)
    load(read_file(OTHER))

    def dept(code):
        return Department.objects.get(code=code)

    return {
        "staff": make_user("sato", dept("madoguchi-ka"), roles.STAFF, last_name="佐藤"),
        "leader": make_user(
            "suzuki", dept("madoguchi-ka"), roles.STAFF, roles.PROMOTER, last_name="鈴木"
        ),
        "room": make_user(
            "takahashi", dept("digital-room"), roles.STAFF, roles.SECRETARIAT, last_name="高橋"
        ),
        "strategy": make_user(
            "tanaka", dept("gomi"), roles.STAFF, roles.HEADQUARTERS, last_name="田中"
        ),
        "kaizen": make_user("ito", dept("gomi"), roles.STAFF, roles.COMMITTEE, last_name="伊藤"),
    }


class Reader:
    """A browser of sorts: takes each step as one person and keeps every page it saw."""

    def __init__(self, client):
        self.client, self.pages = client, []

    def as_(self, user):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self

    def get(self, url):
        response = self.client.get(url, follow=True)
        self._keep(url, response)
        return response

    def post(self, url, data):
        response = self.client.post(url, data, follow=True)
        self._keep(url, response)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def _keep(self, url, response):
        if response.get("Content-Type", "").startswith("text/html"):
            self.pages.append((url, response.content.decode()))


def proposal(channel, **extra):
    edition = PolicyEdition.objects.in_force()
    data = {
        "title": "住民票の写しのオンライン申請",
        "channel": str(channel.pk),
        "policy": str(edition.policies.get(number=1).pk),
        "affected_departments": [str(Department.objects.get(code="madoguchi-ka").pk)],
        "current_issues": "窓口で書類を書いてもらっている。",
        "content": "スマートフォンから申請できるようにする。",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "cases-TOTAL_FORMS": "0",
        "cases-INITIAL_FORMS": "0",
    }
    for item in edition.current_checklist().items.all():
        data[f"check-answer_{item.number}"] = "ok"
    data.update(extra)
    return data


def run_the_cycle(reader, people):
    """Proposal → review → decision → plan → report → publication, person after person."""
    staff, room, strategy = people["staff"], people["room"], people["strategy"]
    today = timezone.localdate()
    reader.as_(staff).get("/")
    reader.get(reverse("initiatives:create"))
    reader.post(reverse("initiatives:create"), proposal(Channel.objects.get(code="workplace")))
    item = Initiative.objects.get()
    reader.get(reverse("initiatives:submit", args=[item.pk]))
    reader.post(reverse("initiatives:submit", args=[item.pk]), {"expected_status": "draft"})

    reader.as_(room).get("/")
    reader.get(reverse("reviews:inbox"))
    reader.get(reverse("reviews:review", args=[item.pk]))
    reader.post(reverse("reviews:start", args=[item.pk]), {"expected_status": "submitted"})
    checklist = item.edition.current_checklist()
    reader.post(
        reverse("reviews:checklist", args=[item.pk]),
        {f"review-answer_{i.number}": "ok" for i in checklist.items.all()},
    )
    reader.post(
        reverse("reviews:classify", args=[item.pk]),
        {"kind": "planned", "reason": "全庁で使うため", "expected_status": "under_review"},
    )
    item.refresh_from_db()
    # No advisory body in this city: straight to the body that decides.
    assert item.status == S.HQ_REVIEW

    reader.get(reverse("reviews:meeting_create"))
    body = Body.objects.get(kind=Body.Kind.HEADQUARTERS)
    reader.post(reverse("reviews:meeting_create"), {"body": body.pk, "held_on": today.isoformat()})
    meeting = Meeting.objects.get()
    reader.post(reverse("reviews:agenda_add", args=[meeting.pk]), {"initiative": item.pk})
    agenda = AgendaItem.objects.get()

    reader.as_(strategy).get("/")
    reader.get(reverse("reviews:meetings"))
    reader.get(meeting.get_absolute_url())
    reader.post(
        reverse("reviews:decision", args=[meeting.pk, agenda.pk]),
        {f"item{agenda.pk}-outcome": "decided", f"item{agenda.pk}-reason": "効果が大きい"},
    )
    item.refresh_from_db()
    assert item.status == S.DECIDED

    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=ComprehensivePlan.objects.get().measures.get(),
        title="令和8年度～令和10年度 実施計画",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    ReportSchedule.objects.create(fiscal_year=2026, due_on=today - datetime.timedelta(days=1))
    reader.as_(room).get(item.get_absolute_url())
    reader.get(reverse("plans:place", args=[item.pk]))
    reader.post(
        reverse("plans:place", args=[item.pk]),
        {
            "plan": plan.pk,
            "owner": item.department_id,
            "years-TOTAL_FORMS": "1",
            "years-INITIAL_FORMS": "0",
            "years-0-fiscal_year": "2026",
            "years-0-planned": "1課で試行",
            "years-0-amount": "500000",
            "kpis-TOTAL_FORMS": "0",
            "kpis-INITIAL_FORMS": "0",
        },
    )
    entry = PlanEntry.objects.get()
    reader.as_(staff).get(item.get_absolute_url())
    reader.post(
        reverse("initiatives:transition", args=[item.pk, "in_progress"]),
        {"expected_status": "planned", "comment": ""},
    )
    send_reminders(today)
    reader.get(reverse("plans:reports_due"))
    reader.get(reverse("plans:report_edit", args=[entry.pk, 2026, "year"]))
    reader.post(
        reverse("plans:report_edit", args=[entry.pk, 2026, "year"]),
        {"done": "試行した", "evaluation": "B", "progress_percent": "30"},
    )
    report = ProgressReport.objects.get()
    reader.post(reverse("plans:report_submit", args=[report.pk]), {})
    reader.as_(room).get(report.get_absolute_url())
    reader.post(reverse("plans:report_review", args=[report.pk]), {"decision": "confirm"})
    reader.get(reverse("public:manage", args=[item.pk]))
    reader.post(
        reverse("public:manage", args=[item.pk]),
        {
            "is_public": "on",
            "public_summary": "スマホで申請できます。",
            "version": Initiative.objects.get(pk=item.pk).version,
        },
    )
    reader.as_(people["kaizen"]).get(reverse("initiatives:create"))
    reader.post(
        reverse("initiatives:create"),
        proposal(Channel.objects.get(code="residents"), title="窓口の混雑の見える化"),
    )
    return {"item": item, "plan": plan, "entry": entry, "report": report, "meeting": meeting}


def every_page(made):
    """(namespace:name, url) of every pattern of the URL configuration, with this run's ids."""
    item, meeting = made["item"], made["meeting"]
    edition = PolicyEdition.objects.get()
    ids = {
        "pk": item.pk,
        "entry_pk": made["entry"].pk,
        "fiscal_year": 2026,
        "period": "year",
        "target": "completed",
        "code": edition.code,
        "number": 1,
        "item_pk": AgendaItem.objects.get().pk,
    }
    by_name = {
        "plans:plan": {"pk": made["plan"].pk},
        "plans:plan_xlsx": {"pk": made["plan"].pk},
        "plans:plan_csv": {"pk": made["plan"].pk},
        "plans:report": {"pk": made["report"].pk},
        "plans:report_submit": {"pk": made["report"].pk},
        "plans:report_review": {"pk": made["report"].pk},
        **{f"reviews:{n}": {"pk": meeting.pk} for n in ("meeting", "meeting_update", "agenda_add")},
        **{
            f"reviews:{n}": {"pk": meeting.pk, "item_pk": ids["item_pk"]}
            for n in ("opinion", "decision")
        },
    }

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    yield from walk(
                        p.url_patterns, ":".join(filter(None, [namespace, p.namespace]))
                    )
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                params = set(p.pattern.converters)
                if "attachment_pk" in params:
                    continue  # no attachment in this run
                kwargs = by_name.get(name) or {k: ids[k] for k in params}
                yield name, reverse(name, kwargs=kwargs)

    return list(walk(get_resolver().url_patterns))


def foreign_names(text, banned):
    return sorted(w for w in banned if w in text)


def test_another_city_runs_the_whole_cycle_in_its_own_names(
    client, city, django_capture_on_commit_callbacks
):
    reader = Reader(client)
    with django_capture_on_commit_callbacks(execute=True):
        made = run_the_cycle(reader, city)
    assert Initiative.objects.filter(is_public=True).count() == 1
    assert Initiative.objects.get(channel__code="residents").proposer == city["kaizen"]
    for person in [*city.values(), None]:
        reader.as_(person)
        for _, url in every_page(made):
            reader.get(url)
    banned = yachiyo_names()
    problems = [
        f"{url}: {', '.join(foreign_names(re.sub(r'<[^>]+>', ' ', html), banned))}"
        for url, html in reader.pages
        if foreign_names(re.sub(r"<[^>]+>", " ", html), banned)
    ]
    problems += [
        f"mail 「{m.subject}」: {', '.join(foreign_names(m.subject + m.body, banned))}"
        for m in mail.outbox
        if foreign_names(m.subject + m.body, banned)
    ]
    assert len(reader.pages) > 100 and len(mail.outbox) >= 4
    assert not problems, "\n".join(sorted(set(problems)))
    # And the city's own names are what people read.
    html = "".join(page for _, page in reader.pages)
    for word in (
        "デジタル推進室",
        "戦略会議審議",
        "みどり野市デジタル化チェック表",
        "みどり野市デジタル化計画",
    ):
        assert word in html, word
