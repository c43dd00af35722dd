"""実施計画 editions, placement and PDCA follow-up.

A placement (PlanEntry) keeps its plan as revisions: revision 0 is the baseline, frozen when
the initiative is placed; a later change of schedule, amounts or KPI targets is a new revision
with its reason. Nothing rewrites an earlier revision. Progress reports are per fiscal year (or
half-year, by setting), written by the owning department and confirmed by the secretariat.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from initiatives.models import MAX_YEN, Initiative
from policies.models import ComprehensivePlan, Department, Measure
from policies.names import city

from .. import workflow
from ..workflow import EDITABLE_REPORT_STATES, ReportStatus, complete_condition
from .notes import ProgressNote as ProgressNote  # the department-led items' progress log
from .reminders import ReportReminder as ReportReminder  # overdue reports' reminder mails

NEGATIVE_KPI_MESSAGE = (
    "この指標はマイナスになりません。0以上の値を入力してください"
    "（増減数など、マイナスになりうる指標は「マイナスの値を認める」を選びます）。"
)


class ImplementationPlan(models.Model):
    """An edition of the 総合計画実施計画 (rolling, e.g. 令和8年度～令和10年度)."""

    comprehensive_plan = models.ForeignKey(
        ComprehensivePlan,
        on_delete=models.PROTECT,
        related_name="implementation_plans",
        verbose_name="総合計画",
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="implementation_plans", verbose_name="施策"
    )
    title = models.CharField("名称", max_length=100)
    start_fiscal_year = models.PositiveSmallIntegerField("開始年度")
    end_fiscal_year = models.PositiveSmallIntegerField("終了年度")

    class Meta:
        db_table = "initiatives_implementationplan"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "実施計画（版）"
        ordering = ["-start_fiscal_year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_fiscal_year__gte=F("start_fiscal_year")),
                name="implementation_plan_period_ordered",
                violation_error_code="end_fiscal_year",
                violation_error_message="終了年度は開始年度以降にしてください。",
            ),
            models.UniqueConstraint(
                fields=["measure", "start_fiscal_year", "end_fiscal_year"],
                name="implementation_plan_unique_period",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:plan", args=[self.pk])

    @property
    def fiscal_years(self):
        return list(range(self.start_fiscal_year, self.end_fiscal_year + 1))


class PlanEntry(models.Model):
    class Origin(models.TextChoices):
        # Shown in the city's words (get_origin_display): its document, its former plan.
        POLICY = "policy", "方針"
        FORMER_ICT = "former_ict", "旧計画からの継続"

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="plan_entries", verbose_name="取組項目"
    )
    plan = models.ForeignKey(
        ImplementationPlan,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name="実施計画",
    )
    owner = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="plan_entries", verbose_name="担当課"
    )
    origin = models.CharField("由来", max_length=20, choices=Origin.choices, default=Origin.POLICY)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登載者"
    )
    placed_at = models.DateTimeField("登載日時", auto_now_add=True)

    class Meta:
        db_table = "initiatives_planentry"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "実施計画への位置付け"
        ordering = ["plan", "initiative__policy__number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "plan"], name="plan_entry_once_per_plan"),
            models.CheckConstraint(
                condition=Q(origin__in=["policy", "former_ict"]),
                name="plan_entry_origin_valid",
                violation_error_code="origin",
                violation_error_message="由来を選んでください。",
            ),
        ]

    def __str__(self):
        return f"{self.plan}: {self.initiative}"

    def get_origin_display(self):
        names = city()
        if self.origin == self.Origin.FORMER_ICT:
            return f"{names.former_plan or '旧計画'}からの継続"
        return names.document

    @property
    def is_continuing(self):
        """Carried over from the former plan rather than decided under the policy."""
        return self.origin == self.Origin.FORMER_ICT


class PlanRevision(models.Model):
    entry = models.ForeignKey(
        PlanEntry, on_delete=models.PROTECT, related_name="revisions", verbose_name="位置付け"
    )
    number = models.PositiveSmallIntegerField("改定番号")  # 0 = baseline
    reason = models.TextField("改定理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        db_table = "initiatives_planrevision"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "計画の改定"
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="plan_revision_number_unique"),
            models.CheckConstraint(
                condition=Q(number=0) | ~Q(reason=""),
                name="plan_revision_has_reason",
                violation_error_code="reason",
                violation_error_message="計画を改定する理由を入力してください。",
            ),
        ]

    def __str__(self):
        return "当初計画（ベースライン）" if self.number == 0 else f"第{self.number}次改定"

    @property
    def is_baseline(self):
        return self.number == 0


class PlanYear(models.Model):
    revision = models.ForeignKey(
        PlanRevision, on_delete=models.PROTECT, related_name="years", verbose_name="計画の版"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    planned = models.TextField("計画内容")
    amount = models.PositiveBigIntegerField("予算額（円）")
    funding = models.CharField("財源", max_length=200, blank=True)

    class Meta:
        db_table = "initiatives_planyear"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "年度別計画"
        ordering = ["revision", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "fiscal_year"], name="plan_year_once_per_revision"
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_YEN),
                name="plan_year_amount_bounded",
                violation_error_code="amount",
                violation_error_message="予算額は0円から1兆円までの金額で入力してください。",
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}年度"


class Kpi(models.Model):
    """A KPI as one revision states it; `number` keeps its identity across revisions."""

    revision = models.ForeignKey(
        PlanRevision, on_delete=models.PROTECT, related_name="kpis", verbose_name="計画の版"
    )
    number = models.PositiveSmallIntegerField("指標番号")
    indicator = models.CharField("指標", max_length=200)
    unit = models.CharField("単位", max_length=30)
    baseline_value = models.DecimalField("基準値", max_digits=14, decimal_places=2)
    baseline_year = models.PositiveSmallIntegerField("基準年度")
    target_value = models.DecimalField("目標値", max_digits=14, decimal_places=2)
    target_year = models.PositiveSmallIntegerField("目標年度")
    # Counts, yen, hours and rates cannot fall below zero; only an indicator that is itself a
    # change (増減数, 差分) may, and it says so.
    allows_negative = models.BooleanField(
        "マイナスの値を認める",
        default=False,
        db_default=False,
        help_text="増減数・差分など、値がマイナスになりうる指標のときだけ選びます。",
    )

    class Meta:
        db_table = "initiatives_kpi"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "指標（KPI）"
        ordering = ["revision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "number"], name="kpi_number_unique"),
            models.CheckConstraint(
                condition=~Q(unit=""),
                name="kpi_has_unit",
                violation_error_code="unit",
                violation_error_message="単位を入力してください（例: 件、時間、％）。",
            ),
            models.CheckConstraint(
                condition=Q(allows_negative=True) | Q(baseline_value__gte=0, target_value__gte=0),
                name="kpi_values_not_negative",
                violation_error_code="target_value",
                violation_error_message=NEGATIVE_KPI_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.indicator}（{self.unit}）"


class ReportSchedule(models.Model):
    """When the report of a fiscal year (or half-year) is due."""

    class Period(models.TextChoices):
        YEAR = "year", "通年"
        FIRST_HALF = "h1", "上半期"
        SECOND_HALF = "h2", "下半期"

    fiscal_year = models.PositiveSmallIntegerField("年度")
    period = models.CharField("期間", max_length=4, choices=Period.choices, default=Period.YEAR)
    due_on = models.DateField("提出期限")

    class Meta:
        db_table = "initiatives_reportschedule"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "進捗報告の提出期限"
        ordering = ["fiscal_year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "period"], name="report_schedule_unique"
            ),
            models.CheckConstraint(
                condition=Q(period__in=["year", "h1", "h2"]),
                name="report_schedule_period_valid",
                violation_error_code="period",
                violation_error_message="期間を選んでください。",
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}年度 {self.get_period_display()}（{self.due_on}まで）"


class ProgressReport(models.Model):
    Status = ReportStatus

    class Evaluation(models.TextChoices):
        A = "A", "A 順調"
        B = "B", "B おおむね順調"
        C = "C", "C 遅れ"
        D = "D", "D 大幅遅れ"

    class Risk(models.TextChoices):
        LOW = "low", "低"
        MEDIUM = "medium", "中"
        HIGH = "high", "高"

    entry = models.ForeignKey(
        PlanEntry, on_delete=models.PROTECT, related_name="reports", verbose_name="位置付け"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    period = models.CharField(
        "期間", max_length=4, choices=ReportSchedule.Period.choices, default="year"
    )
    plan_text = models.TextField("計画（Plan）", blank=True)
    done = models.TextField("実績（Do）", blank=True)
    amount_spent = models.PositiveBigIntegerField("執行額（円）", null=True, blank=True)
    evaluation = models.CharField(
        "評価（Check）", max_length=1, choices=Evaluation.choices, blank=True
    )
    progress_percent = models.PositiveSmallIntegerField("進捗率（％）", null=True, blank=True)
    risk = models.CharField("リスク", max_length=10, choices=Risk.choices, blank=True)
    risk_note = models.TextField("リスクの内容", blank=True)
    improvement = models.TextField("改善・見直し（Act）", blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版数", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="更新者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        db_table = "initiatives_progressreport"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "進捗報告（PDCA）"
        ordering = ["entry", "fiscal_year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "fiscal_year", "period"], name="report_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100) | Q(progress_percent__isnull=True),
                name="report_progress_percent_range",
                violation_error_code="progress_percent",
                violation_error_message="進捗率は0から100までの整数で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(amount_spent__lte=MAX_YEN) | Q(amount_spent__isnull=True),
                name="report_amount_bounded",
                violation_error_code="amount_spent",
                violation_error_message="執行額は0円から1兆円までの金額で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="report_status_valid",
                violation_error_code="status",
                violation_error_message="状態が正しくありません。",
            ),
            models.CheckConstraint(
                condition=Q(evaluation__in=["", "A", "B", "C", "D"]),
                name="report_evaluation_valid",
                violation_error_code="evaluation",
                violation_error_message="評価はA・B・C・Dのいずれかです。",
            ),
            # What is submitted is complete.
            models.CheckConstraint(
                condition=Q(status__in=EDITABLE_REPORT_STATES) | complete_condition(),
                name="report_submitted_is_complete",
                violation_error_code="status",
                violation_error_message="提出済・確認済の報告には、実績（Do）・評価・進捗率が必要です。",
            ),
        ]

    def __str__(self):
        return f"{self.entry.initiative} {self.fiscal_year}年度 {self.get_period_display()}"

    def get_absolute_url(self):
        return reverse("plans:report", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in EDITABLE_REPORT_STATES

    @property
    def tone(self):
        return workflow.tone(self.status)


class KpiActual(models.Model):
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="kpi_actuals",
        verbose_name="進捗報告",
    )
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="+", verbose_name="指標")
    # Not negative unless its KPI allows it: a rule across two tables, so it is checked by
    # services.save_report (every write goes through it), not by a CheckConstraint.
    value = models.DecimalField("実績値", max_digits=14, decimal_places=2)

    class Meta:
        db_table = "initiatives_kpiactual"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "指標の実績"
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi"], name="kpi_actual_once"),
        ]

    def __str__(self):
        return f"{self.kpi}: {self.value}"
