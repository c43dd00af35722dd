"""Every URL of the portal × every role × objects of another department.

The URLs come from the URL configuration: a pattern missing from EXPECTED fails the test, so a
page added later cannot be forgotten. Objects belong to 都市整備部 道路管理課 (charlie); the
roles are anonymous and the named users of tests/conftest.py, most of them in other 所属.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from core.models import AuditEvent, Notification
from initiatives.models import Attachment, Initiative
from initiatives.publication import set_publication
from plans import queries as plan_queries
from plans import services as plans
from plans.models import ImplementationPlan, PlanRevision, ProgressNote, ProgressReport
from policies.models import Body, ComprehensivePlan, Measure
from reviews import services as review_services
from reviews.models import AgendaItem, Decision, Meeting, MeetingAttachment, Opinion

from .factories import make_initiative

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "proposer",
    "promoter",
    "reviewer",
    "hq",
    "council",
    "counter_member",
    "admin_user",
]
L = "login"  # redirected to the login page

ALL_200 = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": L}
# The city's own pages: every member of staff; the council's external member is refused.
STAFF = {**SIGNED_IN, "council": 403}


def only(*allowed, others=403):
    return {r: (200 if r in allowed else others) for r in ROLES} | {"anonymous": L}


GET_405 = dict.fromkeys(ROLES, 405)

# url name -> (kwargs key, expected GET status per role)
EXPECTED = {
    "home": (None, ALL_200),
    "healthz": (None, ALL_200),
    "readyz": (None, ALL_200),
    "login": (None, {**dict.fromkeys(ROLES, 302), "anonymous": 200}),
    "logout": (None, GET_405),
    # One's own second factor: anyone signed in (nobody here has enrolled, see test_two_factor).
    "two_factor:overview": (None, SIGNED_IN),
    "two_factor:setup": (None, SIGNED_IN),
    "two_factor:verify": (None, {**dict.fromkeys(ROLES, 302), "anonymous": L}),
    "two_factor:codes": (None, {**dict.fromkeys(ROLES, 302), "anonymous": L}),
    "two_factor:disable": (None, GET_405),
    "policies:editions": (None, ALL_200),
    "policies:glossary": (None, ALL_200),
    "policies:edition": ("edition", ALL_200),
    "policies:policy": ("policy", ALL_200),
    "initiatives:list": (None, STAFF),
    "initiatives:mine": (None, STAFF),
    "initiatives:department": (None, STAFF),
    "initiatives:export_all_xlsx": (None, STAFF),
    "initiatives:export_all_csv": (None, STAFF),
    "initiatives:export_mine_xlsx": (None, STAFF),
    "initiatives:export_mine_csv": (None, STAFF),
    "initiatives:export_department_xlsx": (None, STAFF),
    "initiatives:export_department_csv": (None, STAFF),
    "initiatives:create": (None, STAFF),
    "initiatives:detail": ("submitted", STAFF),
    "initiatives:edit": ("submitted", only(others=403)),
    "initiatives:submit": ("submitted", only(others=403)),
    "initiatives:withdraw": ("submitted", only(others=403)),
    "initiatives:transition": ("submitted_review", only(others=403)),
    "initiatives:attachment": ("attachment", STAFF),
    "initiatives:attachment_delete": ("attachment", GET_405),
    "plans:plans": (None, STAFF),
    "plans:plan_continuing": (None, only("reviewer")),
    "plans:plan": ("plan", STAFF),
    "plans:plan_xlsx": ("plan", STAFF),
    "plans:plan_csv": ("plan", STAFF),
    "plans:place": ("planned", only(others=403)),  # already placed: nobody
    "plans:revise": ("entry", only("reviewer")),
    "plans:report_edit": ("report_period", only("counter_member")),  # 道路管理課 only
    "plans:reports_due": (None, STAFF),
    "plans:reports_workbook": (None, STAFF),
    "plans:reports_upload": (None, STAFF),
    # The world's report is a draft: only its own department and the secretariat read it.
    "plans:report": ("report", only("counter_member", "reviewer", others=404) | {"council": 403}),
    "plans:report_submit": ("report", GET_405),
    # 市民課's department-led item: its proposer and 市民課's DX推進員 write its notes.
    "plans:note_add": ("department_led", only("proposer", "promoter")),
    "plans:report_review": ("report", GET_405),
    "reviews:inbox": (None, only("reviewer")),
    "reviews:review": ("submitted", only("reviewer")),
    "reviews:start": ("submitted", GET_405),
    "reviews:return": ("submitted", GET_405),
    "reviews:checklist": ("submitted", GET_405),
    "reviews:classify": ("submitted", GET_405),
    "reviews:consolidate": (None, only("reviewer")),
    "reviews:unconsolidate": ("submitted", only("reviewer")),
    "reviews:meetings": (None, SIGNED_IN),
    "reviews:meeting_create": (None, only("reviewer")),
    "reviews:meeting": ("meeting", SIGNED_IN),
    "reviews:meeting_update": ("meeting", GET_405),
    "reviews:agenda_add": ("meeting", GET_405),
    "reviews:opinion": ("agenda_item", GET_405),
    "reviews:decision": ("agenda_item", GET_405),
    "reviews:meeting_attachment": ("meeting_attachment", SIGNED_IN),
    "reviews:meeting_print": ("meeting", SIGNED_IN),
    "reviews:meeting_ics": ("meeting", SIGNED_IN),
    "reviews:opinion_correct": ("agenda_item", GET_405),
    "reviews:decision_correct": ("agenda_item", GET_405),
    "search": (None, SIGNED_IN),
    "notifications:list": (None, SIGNED_IN),
    # Only its recipient opens a notification (and goes on to its page).
    "notifications:open": (
        "notification",
        {**dict.fromkeys(ROLES, 404), "anonymous": L, "proposer": 302},
    ),
    "notifications:read_all": (None, GET_405),
    "dashboard:index": (None, only("reviewer", "hq")),
    "public:index": (None, ALL_200),
    "public:detail": ("planned", ALL_200),
    "public:opendata": (None, ALL_200),
    "public:opendata_csv": (None, ALL_200),
    "public:opendata_json": (None, ALL_200),
    "public:manage": ("planned", only("reviewer")),
}

# A draft of another department: invisible (404) to all but 情報政策課, who may read it.
DRAFT_GET = {
    "initiatives:detail": {**dict.fromkeys(ROLES, 404), "anonymous": L, "reviewer": 200},
    "initiatives:edit": {**dict.fromkeys(ROLES, 404), "anonymous": L, "reviewer": 403},
    "initiatives:attachment": {**dict.fromkeys(ROLES, 404), "anonymous": L, "reviewer": 200},
}
# The external member never reaches the proposals' pages at all.
DRAFT_GET = {name: {**expected, "council": 403} for name, expected in DRAFT_GET.items()}

# POST endpoints: (url name, kwargs key, roles allowed to act). Everyone else is refused
# (login, 403 or 404) and nothing changes.
POSTS = [
    ("initiatives:edit", "submitted", ()),
    ("initiatives:submit", "submitted", ()),
    ("initiatives:withdraw", "submitted", ()),
    ("initiatives:transition", "submitted_review", ()),
    ("initiatives:attachment_delete", "attachment", ()),
    ("initiatives:edit", "draft", ()),
    ("plans:plan_continuing", None, ("reviewer",)),
    ("plans:place", "planned", ()),
    ("plans:revise", "entry", ("reviewer",)),
    ("plans:report_edit", "report_period", ("counter_member",)),
    ("plans:report_submit", "report", ("counter_member",)),
    ("plans:report_review", "report", ("reviewer",)),
    ("plans:note_add", "department_led", ("proposer", "promoter")),
    ("reviews:start", "submitted", ("reviewer",)),
    ("reviews:return", "submitted", ("reviewer",)),
    ("reviews:checklist", "submitted", ("reviewer",)),
    ("reviews:classify", "submitted", ("reviewer",)),
    ("reviews:consolidate", None, ("reviewer",)),
    ("reviews:unconsolidate", "submitted", ("reviewer",)),
    ("reviews:meeting_create", None, ("reviewer",)),
    ("reviews:meeting_update", "meeting", ("reviewer",)),
    ("reviews:agenda_add", "meeting", ("reviewer",)),
    ("reviews:opinion", "agenda_item", ("reviewer", "council")),
    ("reviews:decision", "agenda_item", ("reviewer", "hq")),
    ("reviews:opinion_correct", "agenda_item", ("reviewer", "council")),
    # A council meeting records no decision: nobody corrects one there.
    ("reviews:decision_correct", "agenda_item", ()),
    ("notifications:read_all", None, tuple(r for r in ROLES if r != "anonymous")),
    ("public:manage", "planned", ("reviewer",)),
]


def url_names():
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns != "admin":  # the admin is Django's own, checked by its permissions
                    yield from walk(p.url_patterns, ns)
            else:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_expectation():
    assert url_names() == set(EXPECTED), (
        f"unlisted: {sorted(url_names() - set(EXPECTED))}; stale: {sorted(set(EXPECTED) - url_names())}"
    )


@pytest.fixture
def world(
    request,
    settings,
    tmp_path,
    proposer,
    promoter,
    outsider,
    reviewer,
    hq,
    council,
    counter_member,
    admin_user,
):
    settings.MEDIA_ROOT = tmp_path
    owner = outsider  # 道路管理課
    submitted = make_initiative(owner, status="submitted", title="他部署の提案")
    draft = make_initiative(owner, title="他部署の下書き")
    attachment = Attachment(
        initiative=submitted,
        original_name="a.pdf",
        content_type="application/pdf",
        size=5,
        uploaded_by=owner,
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-"), save=True)
    draft_attachment = Attachment(
        initiative=draft,
        original_name="b.pdf",
        content_type="application/pdf",
        size=5,
        uploaded_by=owner,
    )
    draft_attachment.file.save("b.pdf", ContentFile(b"%PDF-"), save=True)
    decided = make_initiative(owner, status="decided", title="決定した取組")
    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    entry = plans.place(
        decided,
        actor=reviewer,
        plan=plan,
        owner=owner.department,
        years=[{"fiscal_year": 2026, "planned": "試行", "amount": 1}],
        kpis=[],
    )
    report = plans.save_report(
        plan_queries.entries_with_plans(type(entry).objects.filter(pk=entry.pk)).get(),
        actor=owner,
        fiscal_year=2026,
        period="year",
        values={"done": "実施", "evaluation": "B", "progress_percent": 10},
        kpi_values={},
    )
    set_publication(decided, actor=reviewer, is_public=True, summary="市民向けの説明")
    in_council = make_initiative(owner, status="council", title="協議会の議題")
    meeting = review_services.create_meeting(
        actor=reviewer, body=Body.objects.get(kind="council"), held_on=datetime.date(2026, 5, 1)
    )
    item = review_services.add_agenda_item(meeting, actor=reviewer, initiative=in_council)
    meeting_attachment = MeetingAttachment(
        meeting=meeting,
        original_name="m.pdf",
        content_type="application/pdf",
        size=5,
        uploaded_by=reviewer,
    )
    meeting_attachment.file.save("m.pdf", ContentFile(b"%PDF-"), save=True)
    hq_meeting = review_services.create_meeting(
        actor=reviewer,
        body=Body.objects.get(kind="headquarters"),
        held_on=datetime.date(2026, 6, 1),
    )
    hq_item = review_services.add_agenda_item(
        hq_meeting, actor=reviewer, initiative=make_initiative(owner, status="hq_review")
    )
    hq_attachment = MeetingAttachment(
        meeting=hq_meeting,
        original_name="h.pdf",
        content_type="application/pdf",
        size=5,
        uploaded_by=reviewer,
    )
    hq_attachment.file.save("h.pdf", ContentFile(b"%PDF-"), save=True)
    department_led = make_initiative(proposer, status="department_led", title="所管課推進の取組")
    notification = Notification.objects.create(
        recipient=proposer, subject="お知らせ", url=submitted.get_absolute_url()
    )
    people = {
        "proposer": proposer,
        "promoter": promoter,
        "reviewer": reviewer,
        "hq": hq,
        "council": council,
        "counter_member": counter_member,
        "admin_user": admin_user,
    }
    kwargs = {
        None: {},
        "edition": {"code": "yachiyo-dx-2023"},
        "policy": {"code": "yachiyo-dx-2023", "number": 1},
        "submitted": {"pk": submitted.pk},
        "draft": {"pk": draft.pk},
        "submitted_review": {"pk": submitted.pk, "target": "under_review"},
        "attachment": {"pk": submitted.pk, "attachment_pk": attachment.pk},
        "draft_attachment": {"pk": draft.pk, "attachment_pk": draft_attachment.pk},
        "plan": {"pk": plan.pk},
        "planned": {"pk": decided.pk},
        "entry": {"entry_pk": entry.pk},
        "report_period": {"entry_pk": entry.pk, "fiscal_year": 2026, "period": "year"},
        "report": {"pk": report.pk},
        "meeting": {"pk": meeting.pk},
        "agenda_item": {"pk": meeting.pk, "item_pk": item.pk},
        "meeting_attachment": {"pk": meeting.pk, "attachment_pk": meeting_attachment.pk},
        "hq_meeting": {"pk": hq_meeting.pk},
        "notification": {"pk": notification.pk},
        "department_led": {"pk": department_led.pk},
        "hq_agenda_item": {"pk": hq_meeting.pk, "item_pk": hq_item.pk},
        "hq_meeting_attachment": {"pk": hq_meeting.pk, "attachment_pk": hq_attachment.pk},
    }
    return people, kwargs


def as_role(client, people, role):
    client.logout()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return L
    return response.status_code


def test_get_matrix(client, world):
    people, kwargs = world
    failures = []
    for name, (key, expected) in sorted(EXPECTED.items()):
        url = reverse(name, kwargs=kwargs[key])
        for role in ROLES:
            got = outcome(as_role(client, people, role).get(url))
            if got != expected[role]:
                failures.append(f"GET {url} as {role}: {got}, expected {expected[role]}")
    for name, expected in DRAFT_GET.items():
        key = "draft_attachment" if name == "initiatives:attachment" else "draft"
        url = reverse(name, kwargs=kwargs[key])
        for role in ROLES:
            got = outcome(as_role(client, people, role).get(url))
            if got != expected[role]:
                failures.append(
                    f"GET {url} (draft of another department) as {role}: {got}, expected {expected[role]}"
                )
    assert not failures, "\n".join(failures)


def state():
    return (
        sorted(Initiative.objects.values_list("pk", "status", "title", "version", "is_public")),
        AuditEvent.objects.count(),
        Attachment.objects.count(),
        sorted(ProgressReport.objects.values_list("pk", "status", "version")),
        Opinion.objects.count(),
        Decision.objects.count(),
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        PlanRevision.objects.count(),
        ProgressNote.objects.count(),
    )


def test_post_matrix_refuses_everyone_but_the_allowed_roles(client, world):
    people, kwargs = world
    before = state()
    failures = []
    for name, key, allowed in POSTS:
        url = reverse(name, kwargs=kwargs[key])
        for role in ROLES:
            if role in allowed:
                continue
            got = outcome(
                as_role(client, people, role).post(
                    url, {"expected_status": "submitted", "comment": "x", "title": "書き換え"}
                )
            )
            refused = {L} if role == "anonymous" else {403, 404}
            if got not in refused:
                failures.append(
                    f"POST {url} as {role}: {got}, expected one of {sorted(map(str, refused))}"
                )
    assert not failures, "\n".join(failures)
    assert state() == before


# What the council's external member may open: the public pages and the master data's, the
# meetings of the body they sit on (with its material), nothing of the city's internal pages.
EXTERNAL_REACHES = {
    "home",
    "healthz",
    "readyz",
    "policies:editions",
    "policies:glossary",
    "policies:edition",
    "policies:policy",
    "public:index",
    "public:detail",
    "public:opendata",
    "public:opendata_csv",
    "public:opendata_json",
    "reviews:meetings",
    "reviews:meeting",
    "reviews:meeting_attachment",
    "reviews:meeting_print",
    "reviews:meeting_ics",
    "search",
    "notifications:list",
    "two_factor:overview",
    "two_factor:setup",
}


def test_an_external_member_reaches_only_their_bodys_meetings_and_the_public_pages(client, world):
    people, kwargs = world
    council = people["council"]
    assert council.is_external
    reached = {
        name
        for name, (key, _) in EXPECTED.items()
        if outcome(as_role(client, people, "council").get(reverse(name, kwargs=kwargs[key]))) == 200
    }
    assert reached == EXTERNAL_REACHES, (
        sorted(reached - EXTERNAL_REACHES),
        sorted(EXTERNAL_REACHES - reached),
    )
    # The meetings of another body are not theirs: not listed, not found.
    client.force_login(council)
    listed = client.get(reverse("reviews:meetings")).content.decode()
    assert "第1回" in listed and "電子自治体推進本部" not in listed
    for name, key in (
        ("reviews:meeting", "hq_meeting"),
        ("reviews:meeting_attachment", "hq_meeting_attachment"),
    ):
        assert client.get(reverse(name, kwargs=kwargs[key])).status_code == 404
    decision = reverse("reviews:decision", kwargs=kwargs["hq_agenda_item"])
    assert client.post(decision, {"item1-outcome": "decided"}).status_code == 404
    # Their own meeting shows the material, without staff names or links inward.
    html = client.get(reverse("reviews:meeting", kwargs=kwargs["meeting"])).content.decode()
    assert "付議資料" in html and "/initiatives/" not in html
    assert people["reviewer"].display_name not in html


# --- Standing probe (issue 15): every POST without a CSRF token, and a hostile corpus ---------

HOSTILE = [
    "\x00",  # NUL
    "\u202e\u2066逆向き",  # bidirectional overrides
    "\u200b\u200b",  # invisible only
    '=HYPERLINK("http://example.invalid")',  # a formula
    "あ" * 100_000,  # huge
    "9" * 40,  # a number no column holds
    "-1e309",  # overflows to -inf
    "\U0001f600" * 300,  # outside the BMP
    "<script>alert(1)</script>",
]


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(world):
    from django.test import Client

    people, kwargs = world
    before = state()
    failures = []
    for role in ("proposer", "reviewer", "admin_user"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(people[role])
        for name, (key, _) in EXPECTED.items():
            url = reverse(name, kwargs=kwargs[key] if key else None)
            status = client.post(url, {"title": "書き換え", "comment": "x"}).status_code
            if status not in (403, 405):
                failures.append(f"POST {url} as {role} without a token: {status}")
    assert not failures, "\n".join(failures)
    assert state() == before


def test_the_hostile_corpus_never_answers_500(client, world):
    """Each value in every usual field name, by the role the endpoint is for."""
    people, kwargs = world
    failures = []
    fields = ("title", "comment", "reason", "text", "content", "place", "held_on", "number")
    for name, key, allowed in POSTS:
        if not allowed:
            continue
        url = reverse(name, kwargs=kwargs[key] if key else None)
        as_role(client, people, allowed[0])
        for value in HOSTILE:
            data = {"expected_status": "submitted", **dict.fromkeys(fields, value)}
            status = client.post(url, data).status_code
            if status >= 500:
                failures.append(f"POST {url} as {allowed[0]} with {value[:20]!r}: {status}")
    assert not failures, "\n".join(failures)
