"""Master data transcribed from the city's DX policy.

Everything here is loaded from a data file (see `load_master_data`) so that another city can load
its own. Records of a policy edition (its policies, examples and checklist versions) are never
rewritten once loaded: a revision of the policy is a new edition.
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Municipality(models.Model):
    """The city, with the names it gives the parts of its policy and the shape of its flow.

    Every word a user reads of the city's own (its secretariat, its document, its former plan,
    what it calls a department's promoter) comes from here or from the bodies, never from code.
    """

    name = models.CharField("団体名", max_length=50, unique=True)
    document_name = models.CharField(
        "方針の名称", max_length=100, blank=True, help_text="市がこの方針（計画）を呼ぶ名称"
    )
    secretariat_name = models.CharField(
        "事務局の名称",
        max_length=100,
        blank=True,
        help_text="取りまとめ・審査を行う部署やチームの名称",
    )
    secretariat_department = models.ForeignKey(
        "Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事務局の所属",
    )
    promoter_title = models.CharField(
        "所属の推進役の名称",
        max_length=50,
        blank=True,
        help_text="各所属で取組項目を抽出する職員の呼び名",
    )
    former_plan_name = models.CharField(
        "継続する旧計画の名称",
        max_length=100,
        blank=True,
        help_text="空欄なら、旧計画からの継続登録はありません",
    )
    advisory_opinion = models.BooleanField(
        "決定の前に意見を聴く",
        default=True,
        help_text="計画的に推進する取組項目を、決定する会議体の前に、意見・提言を行う会議体に付議します。",
    )
    required_at_submission = models.JSONField(
        "提出に必要な項目", default=list, blank=True, help_text="取組項目（案）の項目名の一覧"
    )

    class Meta:
        verbose_name = verbose_name_plural = "団体"

    def __str__(self):
        return self.name


class PolicyEditionQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """The edition in force on a date: the latest adopted by then.

        An edition stays in force past its nominal period until a newer one is adopted; a
        draft (no adoption date) is never in force.
        """
        on = on or timezone.localdate()
        return self.filter(adopted_on__lte=on).order_by("-adopted_on").first()

    def adopted(self):
        return self.filter(adopted_on__isnull=False)

    def drafts(self):
        return self.filter(adopted_on__isnull=True)


class PolicyEdition(models.Model):
    code = models.SlugField("識別子", max_length=50, unique=True)
    title = models.CharField("名称", max_length=100)
    adopted_on = models.DateField(
        "策定日",
        unique=True,
        null=True,
        blank=True,
        help_text="空欄の版は案（未採択）です。採択すると、この日から適用されます。",
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="もとにした版",
    )
    start_fiscal_year = models.PositiveSmallIntegerField("推進期間（開始年度）")
    end_fiscal_year = models.PositiveSmallIntegerField("推進期間（終了年度）")
    issuer = models.CharField("策定部署", max_length=100, blank=True)
    note = models.TextField("備考", blank=True)

    objects = PolicyEditionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "方針（版）"
        ordering = ["-adopted_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_fiscal_year__gte=F("start_fiscal_year")),
                name="edition_period_ordered",
                violation_error_code="end_fiscal_year",
                violation_error_message="推進期間の終了年度は開始年度以降にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.start_fiscal_year}〜{self.end_fiscal_year}年度）"

    def get_absolute_url(self):
        return reverse("policies:edition", args=[self.code])

    @property
    def is_draft(self) -> bool:
        return self.adopted_on is None

    def current_checklist(self):
        """The newest checklist version of this edition (one query)."""
        return self.checklists.order_by("-version").first()


class Policy(models.Model):
    edition = models.ForeignKey(
        PolicyEdition, on_delete=models.PROTECT, related_name="policies", verbose_name="版"
    )
    number = models.PositiveSmallIntegerField("番号")
    name = models.CharField("名称", max_length=100)
    description = models.TextField("説明", blank=True)
    # Where a revised policy carries on an earlier edition's: the dashboards count the
    # earlier items under it.
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name="引き継ぐ前の版の基本方針",
    )

    class Meta:
        verbose_name = verbose_name_plural = "基本方針"
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="policy_number_unique"),
        ]

    def __str__(self):
        return f"方針{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("policies:policy", args=[self.edition.code, self.number])


class ExampleInitiative(models.Model):
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="examples", verbose_name="基本方針"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("取組例", max_length=200)
    # The earlier editions' examples this one carries on (several when merged, one of several
    # when split): coverage on the dashboards reads across editions through it.
    continues = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="continued_by",
        verbose_name="引き継ぐ前の版の取組例",
    )

    class Meta:
        verbose_name = verbose_name_plural = "取組例"
        ordering = ["policy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="example_number_unique"),
        ]

    def __str__(self):
        return f"{self.policy.number}-{self.number} {self.title}"


class Checklist(models.Model):
    edition = models.ForeignKey(
        PolicyEdition, on_delete=models.PROTECT, related_name="checklists", verbose_name="版"
    )
    version = models.PositiveSmallIntegerField("バージョン")
    title = models.CharField("名称", max_length=100, default="チェックリスト")

    class Meta:
        verbose_name = verbose_name_plural = "チェックリスト"
        ordering = ["edition", "version"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "version"], name="checklist_version_unique"),
        ]

    def __str__(self):
        return f"{self.title} 第{self.version}版（{self.edition.title}）"


class ChecklistAnswer(models.TextChoices):
    """How a checklist item is answered, by the proposer (self-check) and by the reviewer."""

    OK = "ok", "適"
    IMPROVE = "improve", "要改善"
    NA = "na", "該当なし"


class ChecklistItem(models.Model):
    Answer = ChecklistAnswer

    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="items", verbose_name="チェックリスト"
    )
    number = models.PositiveSmallIntegerField("番号")
    text = models.CharField("確認事項", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "チェックリスト項目"
        ordering = ["checklist", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "number"], name="checklist_item_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"

    # Any answer but 適 says why: the self-check's note and the review's evidence alike.
    @staticmethod
    def needs_note(answer) -> bool:
        return bool(answer) and answer != ChecklistAnswer.OK

    @staticmethod
    def note_unless_ok(note_field) -> Q:
        """needs_note as a database condition, for the check constraints of answers."""
        return Q(answer=ChecklistAnswer.OK) | ~Q(**{note_field: ""})


class Channel(models.Model):
    """抽出経路: the way a proposal enters the portal, and who may propose on it: any member of
    staff for their department, the secretariat, or the members of a committee."""

    class ProposedBy(models.TextChoices):
        STAFF = "staff", "所属の職員"
        SECRETARIAT = "secretariat", "事務局"
        COMMITTEE = "committee", "委員会の委員"

    code = models.SlugField("識別子", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    extracted_by = models.CharField("抽出者", max_length=100)
    description = models.TextField("説明", blank=True)
    proposed_by = models.CharField(
        "提案できる人", max_length=20, choices=ProposedBy.choices, default=ProposedBy.STAFF
    )
    committee = models.ForeignKey(
        "Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name="提案する委員会",
    )
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "抽出経路"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_by__in=["staff", "secretariat", "committee"]),
                name="channel_proposed_by_valid",
                violation_error_code="proposed_by",
                violation_error_message="提案できる人を選んでください。",
            ),
            models.CheckConstraint(
                condition=Q(proposed_by="committee", committee__isnull=False)
                | (~Q(proposed_by="committee") & Q(committee__isnull=True)),
                name="channel_committee_when_proposed_by_one",
                violation_error_code="committee",
                violation_error_message="委員会の委員が提案する経路には委員会を、それ以外には空欄を指定してください。",
            ),
        ]

    def __str__(self):
        return self.name


class Body(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "意見・提言を行う会議体"
        HEADQUARTERS = "headquarters", "審議・決定を行う会議体"
        COMMITTEE = "committee", "庁内検討組織"

    code = models.SlugField("識別子", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField(
        "略称", max_length=50, blank=True, help_text="状態の表示などに使う短い名称"
    )
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    description = models.TextField("説明", blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "会議体"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["council", "headquarters", "committee"]),
                name="body_kind_valid",
                violation_error_code="kind",
                violation_error_message="種別を選んでください。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self):
        """The short name where the city gave one."""
        return self.short_name or self.name

    @property
    def gives_opinions(self):
        """Its meetings record 意見・提言 on their agenda items."""
        return self.kind == self.Kind.COUNCIL

    @property
    def decides(self):
        """Its meetings record decisions on their agenda items."""
        return self.kind == self.Kind.HEADQUARTERS


class DepartmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Department(models.Model):
    """所属: a 部 (no parent) or a 課 under a 部."""

    code = models.SlugField("識別子", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上位の所属（部）",
    )
    is_active = models.BooleanField("有効", default=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    objects = DepartmentQuerySet.as_manager()
    # Names change with April reorganisations; the history keeps what a 所属 was called when.
    history = HistoricalRecords(verbose_name="所属の変更履歴")

    class Meta:
        verbose_name = verbose_name_plural = "所属"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="department_not_own_parent",
                violation_error_code="parent",
                violation_error_message="上位の所属に自分自身は指定できません。",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        """「部 課」 (parent and name); touches `parent`, so select_related it in lists."""
        if self.parent_id:
            return f"{self.parent.name} {self.name}"
        return self.name


class GlossaryTerm(models.Model):
    term = models.CharField("用語", max_length=100, unique=True)
    description = models.TextField("解説")
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "用語解説"
        ordering = ["order", "term"]

    def __str__(self):
        return self.term


class ComprehensivePlan(models.Model):
    code = models.SlugField("識別子", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    stage = models.CharField("計画期", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "総合計画"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} {self.stage}".strip()


class Measure(models.Model):
    plan = models.ForeignKey(
        ComprehensivePlan,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name="総合計画",
    )
    code = models.SlugField("識別子", max_length=50)
    name = models.CharField("施策名", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "施策"
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="measure_code_unique"),
        ]

    def __str__(self):
        return self.name
