"""Accessibility sweep in a real Chromium: axe-core over every page of the portal, signed in as
each role and anonymous, must find no WCAG 2.0/2.1 A/AA violation.

The pages come from the URL configuration itself: every pattern is either visited (its URL
arguments filled in from one rich dataset) or listed in EXCLUDE with the reason, so a page added
later is covered automatically, or the completeness test fails until someone decides.
A second sweep at 320 CSS px (400 % zoom) checks reflow and what only shows on narrow screens
(tables that scroll sideways must be reachable from the keyboard).
"""

import datetime
import time
from collections import defaultdict
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from initiatives.models import Initiative
from initiatives.publication import set_publication
from plans import services as plans
from plans.models import ImplementationPlan, ProgressReport
from policies.models import Body, ComprehensivePlan, Department, Measure, PolicyEdition
from reviews import services as reviews

from ..factories import make_initiative

S = Initiative.Status
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
ROLES = (
    "proposer",
    "promoter",
    "outsider",
    "reviewer",
    "hq",
    "council",
    "counter_member",
    "admin_user",
)

# URL patterns that are not HTML pages, with the reason. Keys are "namespace:name".
EXCLUDE = {
    # Health checks: JSON for the load balancer, no page.
    "healthz": "health check (JSON)",
    "readyz": "readiness check (JSON)",
    # Logout is POST-only (Django's LogoutView); its form is on every signed-in page.
    "logout": "POST-only",
    # File downloads and exports: a spreadsheet, CSV, JSON or the uploaded file, no page.
    **{
        f"initiatives:export_{scope}_{fmt}": "file export"
        for scope in ("all", "mine", "department")
        for fmt in ("xlsx", "csv")
    },
    "plans:plan_xlsx": "file export",
    "plans:plan_csv": "file export",
    "plans:reports_workbook": "file download (Excel workbook)",
    "initiatives:attachment": "file download (attachment)",
    "reviews:meeting_attachment": "file download (meeting material)",
    "public:opendata_csv": "open data file (CSV)",
    "public:opendata_json": "open data file (JSON)",
    # Reached only mid-sign-in or once after enrolment: axe checks them in the two-factor journey.
    "two_factor:verify": "second sign-in step (test_two_factor_journey runs axe on it)",
    "two_factor:codes": "shown once after enrolment (test_two_factor_journey runs axe on it)",
    "two_factor:disable": "POST-only (form on the two-factor page)",
    # POST-only endpoints: their forms are on pages visited here (detail, review, meeting).
    "initiatives:attachment_delete": "POST-only (button on the edit form)",
    "plans:report_submit": "POST-only (button on the report page)",
    "plans:report_review": "POST-only (form on the report page)",
    "reviews:start": "POST-only (button on the review page)",
    "reviews:return": "POST-only (form on the review page)",
    "reviews:checklist": "POST-only (form on the review page)",
    "reviews:classify": "POST-only (form on the review page)",
    "reviews:meeting_update": "POST-only (form on the meeting page)",
    "reviews:agenda_add": "POST-only (form on the meeting page)",
    "reviews:opinion": "POST-only (form on the meeting page)",
    "reviews:decision": "POST-only (form on the meeting page)",
    "reviews:opinion_correct": "POST-only (form on the meeting page)",
    "reviews:decision_correct": "POST-only (form on the meeting page)",
    "reviews:meeting_ics": "calendar file (iCalendar)",
    "notifications:open": "redirect to the notification's page (marks it read)",
    "notifications:read_all": "POST-only (button on the notifications page)",
}
# Whole namespaces left out of the walk, with the reason.
EXCLUDE_NAMESPACES = {
    # Django's admin has a page per model and action; admin_pages() below covers its index, a
    # changelist and a change form (the templates every other admin page is made of).
    "admin": "Django admin: sampled by admin_pages()",
}


def walk(patterns, prefix="", namespace=""):
    """(key, route, has_params) of every URL pattern, includes and namespaces followed."""
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(filter(None, [namespace, p.namespace]))
            if p.namespace in EXCLUDE_NAMESPACES:
                continue
            yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            yield key, route, bool(p.pattern.regex.groups)


def build_dataset(*, proposer, promoter, outsider, reviewer, hq, council, counter_member):
    """One initiative in each stage, meetings of each body, a plan entry with a report."""
    today = timezone.localdate()
    draft = make_initiative(proposer, complete=False, title="書きかけの提案")
    submitted = make_initiative(
        proposer, status=S.SUBMITTED, title="窓口手数料のキャッシュレス決済"
    )
    under_review = make_initiative(outsider, status=S.SUBMITTED, title="道路損傷の市民通報アプリ")
    reviews.start_review(under_review, actor=reviewer)
    items = list(under_review.edition.current_checklist().items.all())
    reviews.save_checklist_review(
        under_review,
        actor=reviewer,
        answers={
            item: ("ok", "") if i else ("improve", "費用の根拠を示すこと。")
            for i, item in enumerate(items)
        },
    )

    def to_council(initiative):
        reviews.start_review(initiative, actor=reviewer)
        reviews.save_checklist_review(
            initiative, actor=reviewer, answers={item: ("ok", "") for item in items}
        )
        reviews.classify(initiative, actor=reviewer, kind="planned", reason="全庁に影響するため")
        return initiative

    planned = to_council(make_initiative(proposer, status=S.SUBMITTED, title="AI議事録作成支援"))
    waiting = to_council(make_initiative(proposer, status=S.SUBMITTED, title="電子契約の導入"))
    body = {b.kind: b for b in Body.objects.all()}
    council_meeting = reviews.create_meeting(
        actor=reviewer,
        body=body["council"],
        held_on=today,  # opinions and decisions are recorded on or after the day
        place="市役所 第1会議室",
    )
    item = reviews.add_agenda_item(council_meeting, actor=reviewer, initiative=planned)
    reviews.add_agenda_item(council_meeting, actor=reviewer, initiative=waiting)
    reviews.record_opinion(council_meeting, item.pk, actor=council, text="市民への周知を丁寧に")
    hq_meeting = reviews.create_meeting(actor=reviewer, body=body["headquarters"], held_on=today)
    item = reviews.add_agenda_item(hq_meeting, actor=reviewer, initiative=planned)
    reviews.record_decision(hq_meeting, item.pk, actor=hq, outcome="decided", reason="効果が大きい")
    committee_meeting = reviews.create_meeting(
        actor=reviewer, body=body["committee"], held_on=today + datetime.timedelta(days=21)
    )
    reviews.add_agenda_item(committee_meeting, actor=reviewer, initiative=submitted)

    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="令和8年度～令和10年度 実施計画",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    entry = plans.place(
        planned,
        actor=reviewer,
        plan=plan,
        owner=planned.department,
        years=[
            {"fiscal_year": 2026, "planned": "1課で試行", "amount": 1_000_000, "funding": ""},
            {"fiscal_year": 2027, "planned": "全庁展開", "amount": 5_000_000, "funding": ""},
        ],
        kpis=[
            {
                "indicator": "会議録作成時間",
                "unit": "時間",
                "baseline_value": Decimal("1200"),
                "baseline_year": 2025,
                "target_value": Decimal("600"),
                "target_year": 2027,
            }
        ],
    )
    kpi = entry.revisions.get().kpis.get()
    report = plans.save_report(
        entry,
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values={
            "done": "市民課で試行した。",
            "evaluation": "B",
            "progress_percent": 40,
            "risk": "low",
            "improvement": "研修を増やす",
        },
        kpi_values={kpi: Decimal("900")},
    )
    plans.submit_report(report, actor=proposer)
    planned.refresh_from_db()
    set_publication(
        planned, actor=reviewer, is_public=True, summary="会議の記録をAIで早く作ります。"
    )
    decided = make_initiative(proposer, status=S.DECIDED, title="窓口予約システム")
    department_led = make_initiative(
        proposer, status=S.DEPARTMENT_LED, title="窓口の番号札をスマートフォンで"
    )
    pair = [
        make_initiative(proposer, status=S.SUBMITTED, title="窓口の混雑状況をウェブで公開"),
        make_initiative(outsider, status=S.SUBMITTED, title="庁舎の待ち人数の表示"),
    ]
    merged = reviews.consolidate(
        pair, actor=reviewer, source=pair[0], title="窓口の混雑状況の発信", content="統合した内容"
    )
    edition = PolicyEdition.objects.in_force()
    return {
        "merged": merged,
        "draft": draft,
        "submitted": submitted,
        "under_review": under_review,
        "planned": planned,
        "decided": decided,
        "department_led": department_led,
        "council_meeting": council_meeting,
        "hq_meeting": hq_meeting,
        "committee_meeting": committee_meeting,
        "plan": plan,
        "entry": entry,
        "report": ProgressReport.objects.get(pk=report.pk),
        "edition": edition,
        "policy": edition.policies.order_by("number").first(),
    }


# The URL arguments of each pattern with parameters, from the dataset: a list of kwargs each.
KWARGS = {
    "initiatives:detail": lambda d: [
        {"pk": d["planned"].pk},
        {"pk": d["under_review"].pk},
        {"pk": d["draft"].pk},
        {"pk": d["department_led"].pk},
        {"pk": d["merged"].pk},
    ],
    "initiatives:edit": lambda d: [{"pk": d["draft"].pk}],
    "initiatives:submit": lambda d: [{"pk": d["draft"].pk}],
    "initiatives:withdraw": lambda d: [{"pk": d["submitted"].pk}],
    "initiatives:transition": lambda d: [{"pk": d["planned"].pk, "target": "cancelled"}],
    "plans:plan": lambda d: [{"pk": d["plan"].pk}],
    "plans:note_add": lambda d: [{"pk": d["department_led"].pk}],
    "reviews:unconsolidate": lambda d: [{"pk": d["merged"].pk}],
    "plans:place": lambda d: [{"pk": d["decided"].pk}],
    "plans:revise": lambda d: [{"entry_pk": d["entry"].pk}],
    "plans:report_edit": lambda d: [
        {"entry_pk": d["entry"].pk, "fiscal_year": 2027, "period": "year"}
    ],
    "plans:report": lambda d: [{"pk": d["report"].pk}],
    "reviews:review": lambda d: [{"pk": d["under_review"].pk}, {"pk": d["submitted"].pk}],
    "reviews:meeting_print": lambda d: [{"pk": d["hq_meeting"].pk}],
    "reviews:meeting": lambda d: [
        {"pk": d[m].pk} for m in ("council_meeting", "hq_meeting", "committee_meeting")
    ],
    "public:detail": lambda d: [{"pk": d["planned"].pk}],
    "public:manage": lambda d: [{"pk": d["planned"].pk}],
    "policies:edition": lambda d: [{"code": d["edition"].code}],
    "policies:policy": lambda d: [{"code": d["edition"].code, "number": d["policy"].number}],
}
# Pages reached other than by a pattern of their own: states shown by a query string.
EXTRA_PAGES = {
    "reviews:consolidate?ids": lambda d: [
        reverse("reviews:consolidate") + f"?ids={d['submitted'].pk}&ids={d['under_review'].pk}"
    ],
    "initiatives:list?q": lambda d: [reverse("initiatives:list") + "?q=AI"],
    "search?q": lambda d: [reverse("search") + "?q=AI"],
}


def admin_pages():
    """The admin's sample: its index, a changelist and a change form."""
    department = Department.objects.get(code="joho-seisaku")
    return [
        reverse("admin:index"),
        reverse("admin:policies_department_changelist"),
        reverse("admin:policies_department_change", args=[department.pk]),
    ]


def test_every_page_pattern_is_visited_or_excluded():
    """A pattern with URL parameters needs KWARGS (visited) or EXCLUDE (with the reason);
    patterns without parameters are visited as they are."""
    patterns = list(walk(get_resolver().url_patterns))
    problems = [
        f"{key} ({route}): has URL parameters; add it to KWARGS or EXCLUDE"
        for key, route, has_params in patterns
        if has_params and key not in KWARGS and key not in EXCLUDE
    ]
    keys = {key for key, _, _ in patterns}
    problems += [
        f"{k}: in KWARGS or EXCLUDE but no such URL pattern" for k in {*KWARGS, *EXCLUDE} - keys
    ]
    problems += [f"{k}: both visited (KWARGS) and excluded" for k in set(KWARGS) & set(EXCLUDE)]
    assert not problems, "\n".join(problems)


def pages(data):
    """Every URL to visit: (key, path)."""
    urls = []
    for key, route, has_params in walk(get_resolver().url_patterns):
        if key in EXCLUDE:
            continue
        if has_params:
            urls += [(key, reverse(key, kwargs=kw)) for kw in KWARGS[key](data)]
        else:
            # An unnamed pattern's key is its route.
            urls.append((key, "/" + route if key == route else reverse(key)))
    for key, make in EXTRA_PAGES.items():
        urls += [(key, url) for url in make(data)]
    urls += [("admin", url) for url in admin_pages()]
    return urls


UNOPENED = ("unopened", "No role could open the page (200): fix the dataset or KWARGS")
NOT_A_PAGE = ("not-a-page", "Not an HTML page: list its URL pattern in EXCLUDE with the reason")


def check(page, axe, where, found, *, admin=False):
    """Run axe on the page as it is; record its violations under `where`."""
    options = AXE_OPTIONS
    if admin:
        # axe "preloads" the CSSOM by re-fetching @import-ed stylesheets relative to the page
        # (admin's forms.css imports widgets.css) and injecting them as <style>, which the CSP
        # blocks. Only css-orientation-lock needs it, and the admin's CSS is Django's.
        options = {**AXE_OPTIONS, "preload": False}
    results = axe.run(page, options=options).response
    for v in results["violations"]:
        for node in v["nodes"]:
            found[(v["id"], v["help"])].append(f"{where}: {', '.join(map(str, node['target']))}")


def report(found):
    lines = [f"{sum(map(len, found.values()))} problems (WCAG A/AA violations unless noted):"]
    for (rule, help_text), nodes in sorted(found.items()):
        lines.append(f"\n{rule} — {help_text} ({len(nodes)})")
        lines += [f"  {n}" for n in nodes[:40]]
        if len(nodes) > 40:
            lines.append(f"  … and {len(nodes) - 40} more")
    return "\n".join(lines)


def sweep(page, role, to_visit, base_url, axe, found, *, also=None, opened=None):
    """Visit every URL as `role`; run axe on each page it may see (and `also(path)` if given).

    Adds to `opened` each URL that answered 200 itself (not by a redirect).
    """
    opened = set() if opened is None else opened
    checked = set()
    for key, path in to_visit:
        try:
            response = page.goto(base_url + path)
        except PlaywrightError as exc:  # a download, most likely
            found[NOT_A_PAGE].append(f"{role} {path} ({key}): {str(exc).splitlines()[0]}")
            opened.add(path)
            continue
        # 403/404/405 are permission outcomes; a redirect lands on the page it leads to
        # (the login form, the home page), checked once.
        if response is None or response.status != 200:
            continue
        if response.request.redirected_from is None:
            opened.add(path)
        content_type = response.header_value("content-type") or ""
        if not content_type.startswith("text/html"):
            found[NOT_A_PAGE].append(f"{role} {path} ({key}): {content_type}")
            continue
        landed = page.url.removeprefix(base_url).split("?next=")[0]
        if landed in checked:
            continue
        checked.add(landed)
        check(page, axe, f"{role} {landed}", found, admin=landed.startswith("/admin/"))
        if also:
            also(landed)
    return len(checked)


@pytest.fixture
def signed_in(browser, browser_context_args, login):
    """A page in a fresh browser context, signed in as `user` (None: anonymous)."""
    contexts = []

    def make(user, **context_args):
        context = browser.new_context(**{**browser_context_args, **context_args})
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            login(page, user)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_meets_wcag_for_every_role(request, live_server, signed_in):
    users = {name: request.getfixturevalue(name) for name in ROLES}
    data = build_dataset(**{k: v for k, v in users.items() if k != "admin_user"})
    to_visit = pages(data)
    axe = Axe()
    found = defaultdict(list)
    opened = set()
    started = time.monotonic()
    seen = 0

    for role in ("anonymous", *ROLES):
        page = signed_in(users.get(role))
        seen += sweep(page, role, to_visit, live_server.url, axe, found, opened=opened)
        if role == "proposer":
            # A form with errors: the proposal form saved without a title.
            page.goto(f"{live_server.url}/initiatives/new/")
            page.get_by_role("button", name="下書きを保存").click()
            page.locator(".error-summary").wait_for()
            check(page, axe, f"{role} /initiatives/new/ (POST, with errors)", found)
            seen += 1
        page.context.close()

    print(f"axe checked {seen} pages in {time.monotonic() - started:.0f}s")
    # Every page must be seen by someone: else the dataset or KWARGS no longer fit the view.
    for key, path in to_visit:
        if path not in opened:
            found[UNOPENED].append(f"{path} ({key})")
    assert not found, report(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_reflows_at_320_css_pixels(request, live_server, signed_in, tmp_path):
    """WCAG 1.4.10: at 320 CSS px (1280 px zoomed to 400 %) no page scrolls sideways (data
    tables scroll inside their own region) and axe still finds nothing.

    Screenshots of three pages are left in tmp_path, in pieces, to look at.
    """
    users = {name: request.getfixturevalue(name) for name in ("reviewer", "proposer")}
    data = build_dataset(
        **{name: request.getfixturevalue(name) for name in ROLES if name != "admin_user"}
    )
    to_visit = pages(data)
    shots = {
        ("reviewer", "/"): "home",
        ("reviewer", reverse("initiatives:detail", args=[data["planned"].pk])): "detail",
        ("proposer", reverse("initiatives:create")): "proposal-form",
    }
    axe = Axe()
    found = defaultdict(list)
    for role, user in users.items():
        page = signed_in(user, viewport={"width": 320, "height": 640})

        def measure(path, role=role, page=page):
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                found[("reflow", "Page scrolls sideways at 320 CSS px")].append(
                    f"{role} {path}: {width}px wide"
                )
            if (role, path) in shots:
                height = page.evaluate("document.documentElement.scrollHeight")
                for n, top in enumerate(range(0, height, 800)):  # in pieces, legible as images
                    page.screenshot(
                        path=tmp_path / f"{shots[role, path]}-320-{n}.png",
                        full_page=True,
                        clip={"x": 0, "y": top, "width": 320, "height": min(800, height - top)},
                    )

        sweep(page, role, to_visit, live_server.url, axe, found, also=measure)
        page.context.close()
    print(f"screenshots in {tmp_path}")
    assert not found, report(found)
