"""A policy's editions and what each holds: its policies, their examples, the checklist
versions. An adopted edition's records are never rewritten: a revision is a new edition,
drafted in the portal (policies.editions) or loaded from the file."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


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
        # Drafts (no date) after the adopted ones, on every database.
        ordering = [F("adopted_on").desc(nulls_last=True)]
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
