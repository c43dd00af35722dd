"""Master data transcribed from the city's DX policy.

Everything here is loaded from a data file (see `load_master_data`) so that another city can load
its own. Records of a policy edition (its policies, examples and checklist versions) are never
rewritten once loaded: a revision of the policy is a new edition.
"""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .editions import (
    Checklist,
    ChecklistAnswer,
    ChecklistItem,
    ExampleInitiative,
    Policy,
    PolicyEdition,
    PolicyEditionQuerySet,
)

# The edition's models live in editions.py; every model is importable from here.
__all__ = [
    "Body",
    "Channel",
    "Checklist",
    "ChecklistAnswer",
    "ChecklistItem",
    "ComprehensivePlan",
    "Department",
    "DepartmentQuerySet",
    "ExampleInitiative",
    "GlossaryTerm",
    "Measure",
    "Municipality",
    "Policy",
    "PolicyEdition",
    "PolicyEditionQuerySet",
]


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
