"""A database of the layout before the floors (everything in initiatives, three audit trails)
migrates to the new layout without loss, and back, and forward again.

The database is built at the old migrations and filled through the old models (every model,
history rows and stored files included). Then every table that stays is compared row for row,
the trails that became the audit log are found there event for event, the files still open,
and migrating back rebuilds the old trails as they were.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD = [
    ("policies", "0002_historicaldepartment"),
    ("accounts", "0002_roles"),
    ("initiatives", "0004_ownershiptransfer_reportreminder_reminder_once_a_day_and_more"),
    ("reviews", "0001_initial"),
    ("plans", None),
    ("yachiyo_dx", None),
    ("core", None),
]
OUR_OLD_APPS = ("policies", "accounts", "initiatives", "reviews")
FOLDED = ("initiatives_transition", "initiatives_reportevent", "initiatives_ownershiptransfer")
# Role groups become data and come back with new ids: compared by name (group_names).
BY_NAME = ("accounts_user_groups",)
MOMENT = datetime.datetime(2025, 6, 1, 9, 30, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    return migrate(executor.loader.graph.leaf_nodes())


def rows(table, *, without_id=False, columns=None):
    """The table's rows as dicts (of `columns` only, when given: later migrations may add
    columns to a table that stays, or take one whose data moved elsewhere)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        names = [c[0] for c in cursor.description]
        out = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    for r in out:
        if without_id:
            r.pop("id")
        if columns is not None:
            for name in set(r) - set(columns):
                r.pop(name)
    return sorted(out, key=repr)


def same_rows(table, before):
    """The rows of `before` are there, column for column, in the columns both layouts have."""
    now = rows(table)
    common = set(now[0]) & set(before[0]) if now and before else set()
    # A column the newer layout dropped must have had its data moved (tested where it moved).
    return rows(table, columns=common) == sorted(
        ({k: v for k, v in r.items() if k in common} for r in before), key=repr
    )


def tables(apps):
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in OUR_OLD_APPS
        }
    )


# One of each model of the old layout, in dependency order.
def fill(apps):
    get = apps.get_model
    Group, Permission = get("auth", "Group"), get("auth", "Permission")
    ContentType = get("contenttypes", "ContentType")
    get("policies", "Municipality").objects.create(name="試験市")
    edition = get("policies", "PolicyEdition").objects.create(
        code="old",
        title="旧方針",
        adopted_on=datetime.date(2023, 12, 1),
        start_fiscal_year=2023,
        end_fiscal_year=2025,
    )
    policy = get("policies", "Policy").objects.create(edition=edition, number=1, name="方針")
    example = get("policies", "ExampleInitiative").objects.create(
        policy=policy, number=1, title="例"
    )
    checklist = get("policies", "Checklist").objects.create(edition=edition, version=1)
    item = get("policies", "ChecklistItem").objects.create(checklist=checklist, number=1, text="問")
    channel = get("policies", "Channel").objects.create(
        code="c", name="各部署", extracted_by="推進員"
    )
    council = get("policies", "Body").objects.create(code="k", name="協議会", kind="council")
    hq = get("policies", "Body").objects.create(code="h", name="本部", kind="headquarters")
    parent = get("policies", "Department").objects.create(code="bu", name="部")
    dept = get("policies", "Department").objects.create(code="ka", name="課", parent=parent)
    other = get("policies", "Department").objects.create(code="ka2", name="別課", parent=parent)
    get("policies", "HistoricalDepartment").objects.create(
        id=dept.pk,
        code="ka",
        name="旧課名",
        is_active=True,
        order=0,
        history_date=MOMENT,
        history_type="~",
        parent_id=parent.pk,
    )
    get("policies", "GlossaryTerm").objects.create(term="DX", description="説明")
    plan_master = get("policies", "ComprehensivePlan").objects.create(code="p", name="総合計画")
    measure = get("policies", "Measure").objects.create(plan=plan_master, code="m", name="施策")

    user = get("accounts", "User").objects.create(
        username="old", last_name="旧", first_name="太郎", department=dept, password="!"
    )
    group = Group.objects.create(name="管理者（移行試験）")
    staff, promoter = Group.objects.get(name="職員"), Group.objects.get(name="DX推進員")
    secretariat = Group.objects.get(name="情報政策課")
    user.groups.add(group, staff, promoter, secretariat)
    plan_type, _ = ContentType.objects.get_or_create(
        app_label="initiatives", model="implementationplan"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=plan_type, codename="add_implementationplan", defaults={"name": "追加"}
    )
    group.permissions.add(permission)
    user.user_permissions.add(permission)

    initiative = get("initiatives", "Initiative").objects.create(
        edition=edition,
        title="移行する取組",
        channel=channel,
        department=dept,
        proposer=user,
        policy=policy,
        status="in_progress",
        submitted_at=MOMENT,
        funding_sources=["general"],
        initial_cost=100,
    )
    initiative.affected_departments.add(dept)
    initiative.examples.add(example)
    merged = get("initiatives", "Initiative").objects.create(
        edition=edition,
        title="統合された案",
        channel=channel,
        department=other,
        proposer=user,
        status="consolidated",
        consolidated_into=initiative,
        submitted_at=MOMENT,
    )
    history = get("initiatives", "HistoricalInitiative").objects.create(
        id=initiative.pk,
        title="移行する取組（旧題）",
        channel_id=channel.pk,
        department_id=dept.pk,
        edition_id=edition.pk,
        proposer_id=user.pk,
        status="draft",
        version=1,
        history_date=MOMENT,
        history_type="+",
        history_user=user,
    )
    get("initiatives", "HistoricalInitiative_examples").objects.create(
        id=1, history=history, initiative=initiative, exampleinitiative=example
    )
    get("initiatives", "HistoricalInitiative_affected_departments").objects.create(
        id=1, history=history, initiative=initiative, department=dept
    )
    get("initiatives", "Milestone").objects.create(
        initiative=initiative, kind="launch", target_fiscal_year=2026
    )
    get("initiatives", "CaseStudy").objects.create(initiative=initiative, name="他市の例")
    get("initiatives", "SelfCheckAnswer").objects.create(
        initiative=initiative, item=item, answer="ok"
    )
    name = default_storage.save("attachments/old/a.pdf", ContentFile(b"%PDF-1.4 old"))
    get("initiatives", "Attachment").objects.create(
        initiative=initiative,
        file=name,
        original_name="旧資料.pdf",
        content_type="application/pdf",
        size=12,
        uploaded_by=user,
    )
    Transition = get("initiatives", "Transition")
    for source, target, comment in (
        ("draft", "submitted", ""),
        ("submitted", "under_review", "審査開始"),
    ):
        Transition.objects.create(
            initiative=initiative,
            actor=user,
            actor_name="旧 太郎",
            from_status=source,
            to_status=target,
            comment=comment,
            data={"note": source},
        )
    Transition.objects.filter(to_status="submitted").update(created_at=MOMENT)
    plan = get("initiatives", "ImplementationPlan").objects.create(
        comprehensive_plan=plan_master,
        measure=measure,
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    entry = get("initiatives", "PlanEntry").objects.create(
        initiative=initiative, plan=plan, owner=dept, placed_by=user
    )
    revision = get("initiatives", "PlanRevision").objects.create(
        entry=entry, number=0, created_by=user
    )
    get("initiatives", "PlanYear").objects.create(
        revision=revision, fiscal_year=2026, planned="試行", amount=10
    )
    kpi = get("initiatives", "Kpi").objects.create(
        revision=revision,
        number=1,
        indicator="件数",
        unit="件",
        baseline_value=Decimal("1.50"),
        baseline_year=2025,
        target_value=Decimal("10"),
        target_year=2028,
    )
    get("initiatives", "ReportSchedule").objects.create(
        fiscal_year=2026, due_on=datetime.date(2027, 4, 30)
    )
    report = get("initiatives", "ProgressReport").objects.create(
        entry=entry,
        fiscal_year=2026,
        done="実施",
        evaluation="B",
        progress_percent=40,
        status="confirmed",
        updated_by=user,
    )
    get("initiatives", "KpiActual").objects.create(report=report, kpi=kpi, value=Decimal("3.25"))
    get("initiatives", "ReportEvent").objects.create(
        report=report,
        actor=user,
        actor_name="旧 太郎",
        from_status="submitted",
        to_status="confirmed",
        comment="確認",
    )
    get("initiatives", "ReportReminder").objects.create(
        entry=entry, fiscal_year=2026, period="year", sent_on=datetime.date(2027, 5, 1)
    )
    get("initiatives", "OwnershipTransfer").objects.create(
        source=other,
        target=dept,
        reason="組織改正",
        initiative_ids=[merged.pk],
        entry_ids=[],
        user_ids=[],
        actor=user,
    )

    review = get("reviews", "ChecklistReview").objects.create(
        initiative=initiative, checklist=checklist
    )
    get("reviews", "ChecklistReviewAnswer").objects.create(
        review=review, item=item, answer="improve", evidence="根拠", reviewer=user
    )
    get("reviews", "Classification").objects.create(
        initiative=initiative, kind="planned", reason="全庁", classified_by=user
    )
    meeting = get("reviews", "Meeting").objects.create(
        body=council, number=1, held_on=datetime.date(2025, 5, 1), created_by=user
    )
    hq_meeting = get("reviews", "Meeting").objects.create(
        body=hq, number=1, held_on=datetime.date(2025, 5, 20), created_by=user
    )
    name = default_storage.save("meetings/old/m.pdf", ContentFile(b"%PDF-1.4 meeting"))
    get("reviews", "MeetingAttachment").objects.create(
        meeting=meeting,
        file=name,
        original_name="次第.pdf",
        content_type="application/pdf",
        size=16,
        uploaded_by=user,
    )
    agenda = get("reviews", "AgendaItem").objects.create(
        meeting=meeting, initiative=initiative, order=1
    )
    hq_agenda = get("reviews", "AgendaItem").objects.create(
        meeting=hq_meeting, initiative=initiative, order=1
    )
    get("reviews", "Opinion").objects.create(agenda_item=agenda, text="意見", recorded_by=user)
    get("reviews", "Decision").objects.create(
        agenda_item=hq_agenda, outcome="decided", reason="効果", recorded_by=user
    )
    get("admin", "LogEntry").objects.create(
        user=user,
        content_type=plan_type,
        object_id=str(plan.pk),
        object_repr="R8-R10",
        action_flag=2,
        change_message="[]",
        action_time=MOMENT,
    )
    get("axes", "AccessFailureLog").objects.create(
        username="mallory",
        ip_address="192.0.2.1",
        user_agent="x",
        path_info="/accounts/login/",
        attempt_time=MOMENT,
        locked_out=False,
    )
    return {"initiative": initiative, "report": report, "user": user, "group": group}


@pytest.fixture
def old_database(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    apps = migrate(OLD)
    yield apps
    migrate_to_latest()


def test_the_old_layout_migrates_forward_back_and_forward_without_loss(old_database):
    old_apps = old_database
    made = fill(old_apps)
    empty = [
        m._meta.label
        for m in old_apps.get_models(include_auto_created=True)
        if m._meta.app_label in OUR_OLD_APPS and not m._default_manager.exists()
    ]
    assert not empty, f"fill every model of the old layout: {empty}"
    kept = [t for t in tables(old_apps) if t not in FOLDED + BY_NAME]
    before = {t: rows(t) for t in tables(old_apps)}
    groups_before = group_names(old_apps)

    new_apps = migrate_to_latest()
    for table in kept:
        assert same_rows(table, before[table]), table
    _the_trails_are_in_the_audit_log(new_apps, before, made)
    _files_and_permissions_followed(new_apps, made)

    user = new_apps.get_model("accounts", "User").objects.get(pk=made["user"].pk)
    assert (user.dx_promoter, user.in_secretariat) == (True, True)
    assert group_names(new_apps) == {("old", "管理者（移行試験）")}

    back = migrate(OLD)
    assert group_names(back) == groups_before
    for table in kept:
        assert same_rows(table, before[table]), table
    for table in FOLDED:
        assert rows(table, without_id=True) == _without_ids(before[table]), table

    new_apps = migrate_to_latest()
    _the_trails_are_in_the_audit_log(new_apps, before, made)
    for table in kept:
        assert same_rows(table, before[table]), table


def group_names(apps):
    User = apps.get_model("accounts", "User")
    return {(u.username, g.name) for u in User.objects.all() for g in u.groups.all()}


def _without_ids(table_rows):
    return sorted(({k: v for k, v in r.items() if k != "id"} for r in table_rows), key=repr)


def _events(apps, action):
    return list(apps.get_model("core", "AuditEvent").objects.filter(action=action).order_by("pk"))


def _the_trails_are_in_the_audit_log(apps, before, made):
    transitions = _events(apps, "initiative.transition")
    assert [
        (
            e.object_id,
            e.actor_id,
            e.actor_name,
            e.before,
            e.after,
            e.context,
            e.comment,
            e.created_at,
        )
        for e in transitions
    ] == [
        (
            t["initiative_id"],
            t["actor_id"],
            t["actor_name"],
            {"status": t["from_status"]},
            {"status": t["to_status"]},
            _json(t["data"]),
            t["comment"],
            _moment(t["created_at"]),
        )
        for t in sorted(before["initiatives_transition"], key=lambda t: t["id"])
    ]
    assert {e.object_repr for e in transitions} == {"移行する取組"}
    (report_event,) = _events(apps, "report.transition")
    (old_event,) = before["initiatives_reportevent"]
    assert (
        report_event.object_id,
        report_event.before,
        report_event.after,
        report_event.comment,
    ) == (
        made["report"].pk,
        {"status": "submitted"},
        {"status": "confirmed"},
        "確認",
    )
    assert report_event.created_at == _moment(old_event["created_at"])
    assert report_event.content_type.app_label == "plans"
    (retired,) = _events(apps, "department.retired")
    (transfer,) = before["initiatives_ownershiptransfer"]
    assert retired.object_id == transfer["source_id"] and retired.comment == "組織改正"
    assert retired.after == {"is_active": False, "successor": transfer["target_id"]}
    assert retired.context["initiatives"] == _json(transfer["initiative_ids"])
    (admin,) = _events(apps, "admin.change")
    assert admin.object_repr == "R8-R10" and admin.actor_id == made["user"].pk
    (failed,) = _events(apps, "login.failed")
    assert failed.actor_name == "mallory" and failed.context["ip"] == "192.0.2.1"


def _files_and_permissions_followed(apps, made):
    attachment = apps.get_model("initiatives", "Attachment").objects.get()
    meeting_file = apps.get_model("reviews", "MeetingAttachment").objects.get()
    for stored, content in ((attachment, b"%PDF-1.4 old"), (meeting_file, b"%PDF-1.4 meeting")):
        with default_storage.open(stored.file.name) as handle:
            assert handle.read() == content
    group = apps.get_model("auth", "Group").objects.get(pk=made["group"].pk)
    (permission,) = group.permissions.all()
    assert (permission.content_type.app_label, permission.codename) == (
        "plans",
        "add_implementationplan",
    )
    entry = apps.get_model("plans", "PlanEntry").objects.get()
    assert entry.initiative_id == made["initiative"].pk
    assert apps.get_model("plans", "KpiActual").objects.get().value == Decimal("3.25")


def _json(value):
    """JSON columns come back as text on some backends."""
    import json

    return json.loads(value) if isinstance(value, str) else value


def _moment(value):
    """A timestamp read raw (naive UTC text on SQLite) as an aware datetime."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)
