"""Operations: the first administrator, the April reorganisation, reminders on several servers."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from core.models import AuditEvent
from initiatives.models import Initiative
from plans import services as plans
from plans.models import ImplementationPlan
from policies.models import ComprehensivePlan, Department, Measure
from yachiyo_dx import reorganisation

from .factories import make_initiative, transitions

pytestmark = pytest.mark.django_db


def test_createadmin_refuses_weak_or_missing_passwords(master_data, monkeypatch):
    for password in ("", "yachiyo-demo-2025", "short", "password12345"):
        monkeypatch.setenv("DX_ADMIN_PASSWORD", password)
        with pytest.raises(CommandError):
            call_command(
                "createadmin",
                "--username",
                "root",
                "--email",
                "a@example.jp",
                "--department",
                "joho-seisaku",
                "--no-input",
            )
    assert not User.objects.filter(username="root").exists()


def test_createadmin_creates_a_superuser_with_the_admin_role(master_data, monkeypatch):
    monkeypatch.setenv("DX_ADMIN_PASSWORD", "correct horse battery staple")
    call_command(
        "createadmin",
        "--username",
        "root",
        "--email",
        "a@example.jp",
        "--department",
        "joho-seisaku",
        "--no-input",
    )
    user = User.objects.get(username="root")
    assert (
        user.is_superuser and user.is_staff and user.check_password("correct horse battery staple")
    )
    assert user.groups.filter(name="管理者").exists() and user.department.code == "joho-seisaku"


def test_createadmin_needs_the_department(db, monkeypatch):
    monkeypatch.setenv("DX_ADMIN_PASSWORD", "correct horse battery staple")
    with pytest.raises(CommandError, match="load_master_data"):
        call_command(
            "createadmin",
            "--username",
            "root",
            "--email",
            "a@example.jp",
            "--department",
            "nowhere",
            "--no-input",
        )


@pytest.fixture
def superuser(departments):
    return User.objects.create_superuser(
        "root", "r@example.jp", "x" * 20, department=departments["joho"]
    )


def test_renaming_a_department_keeps_its_history(departments, superuser, proposer):
    item = make_initiative(proposer, status="submitted")
    reorganisation.rename(departments["shimin_ka"], actor=superuser, name="市民窓口課")
    dept = Department.objects.get(code="shimin-ka")
    assert dept.name == "市民窓口課"
    assert list(dept.history.order_by("history_date").values_list("name", flat=True))[-2:] == [
        "市民課",
        "市民窓口課",
    ]
    assert item.department_id == dept.pk  # the initiative stays with the same 所属


def test_retiring_a_department_moves_ownership_with_a_record(
    departments, superuser, proposer, reviewer
):
    edition = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    draft = make_initiative(proposer)
    decided = make_initiative(proposer, status="decided")
    entry = plans.place(
        decided,
        actor=reviewer,
        plan=edition,
        owner=decided.department,
        years=[{"fiscal_year": 2026, "planned": "試行", "amount": 1}],
        kpis=[],
    )
    old, new = departments["shimin_ka"], departments["doro"]
    with pytest.raises(reorganisation.ReorganisationError, match="有効なアカウント"):
        reorganisation.retire(old, actor=superuser, successor=new, reason="統合")
    record = reorganisation.retire(
        old, actor=superuser, successor=new, reason="令和9年4月の組織改正", move_users=True
    )

    old.refresh_from_db()
    assert not old.is_active
    moved = record.context
    assert set(moved["initiatives"]) == {draft.pk, decided.pk} and moved["plan_entries"] == [
        entry.pk
    ]
    assert moved["users"] == [proposer.pk]
    assert AuditEvent.objects.get(action="department.retired").after == {
        "is_active": False,
        "successor": new.pk,
    }
    for item in (draft, decided):
        moved_event = AuditEvent.objects.for_object(item).get(action="initiative.department")
        assert (moved_event.before, moved_event.after) == (
            {"department": old.pk},
            {"department": new.pk},
        )
    for item in (draft, decided):
        item.refresh_from_db()
        assert item.department == new
        history = list(item.history.order_by("history_date", "history_id"))
        assert history[-1].department_id == new.pk and history[-2].department_id == old.pk
        assert history[-1].history_user == superuser
    entry.refresh_from_db()
    assert entry.owner == new
    proposer.refresh_from_db()
    assert proposer.department == new
    # The old 所属 and everything it did are still there.
    assert Department.objects.filter(pk=old.pk).exists()
    assert transitions(decided).count() == 2


def test_reorganise_command(departments, superuser, capsys):
    call_command("reorganise_department", "doro", "--actor", "root", "--rename", "道路維持課")
    assert Department.objects.get(code="doro").name == "道路維持課"
    with pytest.raises(CommandError, match="successor"):
        call_command(
            "reorganise_department", "doro", "--actor", "root", "--retire", "--reason", "x"
        )


def test_reminder_job_on_two_servers_sends_once(proposer, reviewer, departments):
    from plans.models import ReportReminder, ReportSchedule

    edition = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    decided = make_initiative(proposer, status="decided")
    plans.place(
        decided,
        actor=reviewer,
        plan=edition,
        owner=decided.department,
        years=[{"fiscal_year": 2026, "planned": "試行", "amount": 1}],
        kpis=[],
    )
    ReportSchedule.objects.create(fiscal_year=2026, due_on=datetime.date(2027, 4, 30))
    day = datetime.date(2027, 5, 1)
    # The second server finds the first one's row for today and sends nothing.
    ReportReminder.objects.create(
        entry=decided.plan_entries.get(), fiscal_year=2026, period="year", sent_on=day
    )
    assert plans.send_reminders(day) == 0
    assert Initiative.objects.get(pk=decided.pk).status == "planned"


def test_audit_export_for_the_security_officer(proposer, reviewer, client, tmp_path, capsys):
    from django.urls import reverse

    from initiatives import services

    item = make_initiative(proposer, status="submitted", title="監査対象の取組")
    services.transition(
        item, to="under_review", actor=reviewer, comment="審査開始", service="review"
    )
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    path = tmp_path / "audit.csv"
    call_command("export_audit", "--since", "2020-01-01", "--output", str(path))
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("日時,種別,実行者ID")
    assert any(
        "取組項目の状態遷移" in line and "監査対象の取組" in line and "審査開始" in line
        for line in lines
    )
    assert any("ログイン失敗" in line and "alice" in line for line in lines)
    call_command("export_audit", "--since", "2999-01-01", "--output", str(path))
    assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 1
    with pytest.raises(CommandError):
        call_command("export_audit", "--since", "昨日")
