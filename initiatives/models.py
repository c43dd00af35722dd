"""取組項目: one record from proposal to completion, with what hangs off it."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import StoredFile
from policies.models import (
    Channel,
    ChecklistItem,
    Department,
    ExampleInitiative,
    Policy,
    PolicyEdition,
)

from . import workflow
from .querysets import InitiativeQuerySet
from .workflow import PUBLISHABLE, InitiativeStatus

# Large enough for any municipal project, small enough to catch a slipped finger (1兆円).
MAX_YEN = 1_000_000_000_000


class Initiative(models.Model):
    # Module-level so that Meta's constraints can name its values.
    Status = InitiativeStatus

    class Funding(models.TextChoices):
        GENERAL = "general", "一般財源"
        SUBSIDY = "subsidy", "国庫補助金・交付金"
        JOINT = "joint", "共同調達"
        OTHER = "other", "その他"

    edition = models.ForeignKey(
        PolicyEdition, on_delete=models.PROTECT, related_name="initiatives", verbose_name="方針の版"
    )
    title = models.CharField("取組名", max_length=200)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="initiatives", verbose_name="抽出経路"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="initiatives", verbose_name="提案部署"
    )
    # The other proposing departments of an item consolidated from several departments' ideas:
    # they keep it in their 所属の提案, count it on the dashboards and may be its 担当課.
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_proposed", verbose_name="共同提案部署"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name="提案者",
    )
    affected_departments = models.ManyToManyField(
        Department, blank=True, related_name="affected_by", verbose_name="影響する部署"
    )
    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name="基本方針",
    )
    examples = models.ManyToManyField(
        ExampleInitiative, blank=True, related_name="initiatives", verbose_name="取組例"
    )
    current_issues = models.TextField("現状と課題", blank=True)
    content = models.TextField("取組内容", blank=True)
    effect_citizens = models.TextField("市民への効果", blank=True)
    effect_staff = models.TextField("職員への効果", blank=True)
    staff_hours_saved = models.PositiveIntegerField(
        "削減できる職員の作業時間（時間/年）", null=True, blank=True
    )
    small_start_plan = models.TextField("スモールスタートと軌道修正の計画", blank=True)
    initial_cost = models.PositiveBigIntegerField("概算費用（初期、円）", null=True, blank=True)
    running_cost = models.PositiveBigIntegerField(
        "概算費用（運用・年額、円）", null=True, blank=True
    )
    funding_sources = models.JSONField("財源", default=list, blank=True)
    funding_note = models.CharField("財源の補足", max_length=200, blank=True)
    security = models.TextField("セキュリティ上の考慮", blank=True)
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_public = models.BooleanField("市民に公開", default=False)
    public_title = models.CharField(
        "公開用の名称",
        max_length=200,
        blank=True,
        # A database default too, so the running older version can still insert rows.
        db_default="",
        help_text="市民向けのページで使う名称。空欄なら取組名をそのまま使います。",
    )
    public_summary = models.TextField(
        "公開用の概要（平易な言葉で）",
        blank=True,
        help_text="市民向けの公開ページに載せる説明。職員名や内部の検討内容は書きません。",
    )
    consolidated_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consolidated_from",
        verbose_name="統合先",
    )
    # Optimistic locking: every save of the form bumps it; a save from an older version is refused.
    version = models.PositiveIntegerField("版数", default=1)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True, db_index=True)

    history = HistoricalRecords(
        verbose_name="取組項目の変更履歴",
        excluded_fields=["updated_at", "created_at"],
        m2m_fields=[affected_departments, examples, co_departments],
    )
    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "取組項目"
        ordering = ["-updated_at", "-pk"]
        # One for each ordering and filter of the lists, so that a page reads its 25 rows from
        # an index instead of sorting every initiative (the keyword filter scans either way).
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="initiative_updated"),
            models.Index(fields=["status", "-updated_at", "-id"], name="initiative_status_updated"),
            # The inbox (oldest submitted first) and the list sorted by submission.
            models.Index(
                fields=["status", "submitted_at", "id"], name="initiative_status_submitted"
            ),
            models.Index(fields=["title", "id"], name="initiative_title"),
            models.Index(
                fields=["department", "-updated_at"], name="initiative_department_updated"
            ),
            models.Index(fields=["proposer", "-updated_at"], name="initiative_proposer_updated"),
            # The citizens' pages: the few public ones, by 基本方針 then title.
            models.Index(
                fields=["policy", "title", "id"],
                condition=Q(is_public=True),
                name="initiative_public",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InitiativeStatus.values),
                name="initiative_status_valid",
                violation_error_code="status",
                violation_error_message="状態が正しくありません。",
            ),
            models.CheckConstraint(
                condition=Q(initial_cost__lte=MAX_YEN) | Q(initial_cost__isnull=True),
                name="initiative_initial_cost_bounded",
                violation_error_code="initial_cost",
                violation_error_message="0円から1兆円までの金額を円単位で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(running_cost__lte=MAX_YEN) | Q(running_cost__isnull=True),
                name="initiative_running_cost_bounded",
                violation_error_code="running_cost",
                violation_error_message="0円から1兆円までの金額を円単位で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(status="consolidated", consolidated_into__isnull=False)
                | (~Q(status="consolidated") & Q(consolidated_into__isnull=True)),
                name="initiative_consolidated_has_target",
                violation_error_code="consolidated_into",
                violation_error_message="統合済の取組項目には統合先が必要です（統合済でなければ空欄です）。",
            ),
            models.CheckConstraint(
                condition=~Q(consolidated_into=models.F("pk")),
                name="initiative_not_merged_into_self",
            ),
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(status__in=PUBLISHABLE),
                name="initiative_public_only_when_decided",
                violation_error_code="is_public",
                violation_error_message="市民に公開できるのは、実施が決まった取組項目だけです。",
            ),
            # Once shared, an initiative keeps its submission time.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False) | Q(status="withdrawn"),
                name="initiative_submitted_has_time",
                violation_error_code="submitted_at",
                violation_error_message="提出した取組項目には提出日時が必要です。",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:detail", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        """Submitted at least once, so visible to every signed-in member of staff."""
        return self.submitted_at is not None

    def funding_labels(self):
        labels = dict(self.Funding.choices)
        return [labels.get(code, code) for code in self.funding_sources]

    @property
    def tone(self):
        """The colour of the state's badge."""
        return workflow.tone(self.status)

    def get_status_display(self):
        """The state in the city's words (the bodies' states carry their names)."""
        return workflow.status_label(self.status)


# What a proposal says, in the order the form asks it. Consolidation carries the same fields
# from the original that the secretariat chooses, but for the title and content it writes
# itself, the channel, and the departments and examples it merges from every original.
PROPOSAL_FIELDS = (
    "title",
    "channel",
    "policy",
    "examples",
    "affected_departments",
    "current_issues",
    "content",
    "effect_citizens",
    "effect_staff",
    "staff_hours_saved",
    "small_start_plan",
    "initial_cost",
    "running_cost",
    "funding_sources",
    "funding_note",
    "security",
)
CARRIED_BY_CONSOLIDATION = tuple(
    f
    for f in PROPOSAL_FIELDS
    if f not in ("title", "content", "channel", "examples", "affected_departments")
)


class Milestone(models.Model):
    class Kind(models.TextChoices):
        BUDGET = "budget", "予算措置"
        PROCUREMENT = "procurement", "調達"
        CONTRACT = "contract", "契約"
        LAUNCH = "launch", "運用開始"
        OTHER = "other", "その他"

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="milestones", verbose_name="取組項目"
    )
    kind = models.CharField("区分", max_length=20, choices=Kind.choices)
    label = models.CharField("内容", max_length=100, blank=True)
    target_date = models.DateField("目標日", null=True, blank=True)
    target_fiscal_year = models.PositiveSmallIntegerField("目標年度", null=True, blank=True)
    order = models.PositiveSmallIntegerField("順序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "スケジュール"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=False) | Q(target_fiscal_year__isnull=False),
                name="milestone_has_target",
                violation_error_code="target_date",
                violation_error_message="目標日か目標年度のどちらかを入力してください。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""),
                name="milestone_other_has_label",
                violation_error_code="label",
                violation_error_message="区分が「その他」のときは内容を入力してください。",
            ),
        ]

    def __str__(self):
        return self.label or self.get_kind_display()


class CaseStudy(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="case_studies", verbose_name="取組項目"
    )
    name = models.CharField("団体名・事例名", max_length=200)
    url = models.URLField("URL", blank=True)
    notes = models.TextField("研究内容", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "他自治体等の事例"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class SelfCheckAnswer(models.Model):
    Answer = ChecklistItem.Answer

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="self_check", verbose_name="取組項目"
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name="確認事項"
    )
    answer = models.CharField("回答", max_length=10, choices=Answer.choices)
    note = models.TextField("補足", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "自己チェック"
        ordering = ["item__number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "item"], name="self_check_one_per_item"),
            models.CheckConstraint(
                condition=Q(answer__in=ChecklistItem.Answer.values),
                name="self_check_answer_valid",
                violation_error_code="answer",
                violation_error_message="回答は 適・要改善・該当なし のいずれかです。",
            ),
            models.CheckConstraint(
                condition=ChecklistItem.note_unless_ok("note"),
                name="self_check_note_unless_ok",
                violation_error_code="note",
                violation_error_message="「適」以外の回答には補足を入力してください。",
            ),
        ]

    def __str__(self):
        return f"{self.item.number}: {self.get_answer_display()}"


def attachment_path(instance, filename):
    """A generated name: nothing of the uploader's file name reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{instance.initiative_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(StoredFile):
    folder = "attachments"  # attachment_path
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="attachments", verbose_name="取組項目"
    )
    file = models.FileField("ファイル", upload_to=attachment_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = verbose_name_plural = "添付ファイル"

    def get_absolute_url(self):
        return reverse("initiatives:attachment", args=[self.initiative_id, self.pk])


# The similarity index's tables (initiatives.similarity_index keeps them), importable from here.
from .similarity_models import SimilarityEntry as SimilarityEntry  # noqa: E402
from .similarity_models import SimilarityIndexState as SimilarityIndexState  # noqa: E402
from .similarity_models import SimilarityPosting as SimilarityPosting  # noqa: E402
from .similarity_models import SimilarityWord as SimilarityWord  # noqa: E402
