"""The secretariat's review, and the meetings of the council and the HQ."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import StoredFile
from initiatives.models import Initiative
from policies.models import Body, Checklist, ChecklistItem
from policies.names import city

Answer = ChecklistItem.Answer


class ChecklistReview(models.Model):
    """The secretariat's answers to one checklist version for one initiative."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="reviews", verbose_name="取組項目"
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name="回答したチェックリスト"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    completed_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "チェックリスト審査"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "checklist"], name="one_review_per_checklist_version"
            ),
        ]

    def __str__(self):
        return f"{self.initiative} の審査（{self.checklist}）"

    @property
    def is_complete(self):
        return self.completed_at is not None


class ChecklistReviewAnswer(models.Model):
    review = models.ForeignKey(
        ChecklistReview, on_delete=models.CASCADE, related_name="answers", verbose_name="審査"
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name="確認事項"
    )
    answer = models.CharField("判定", max_length=10, choices=Answer.choices)
    evidence = models.TextField("根拠・所見", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="審査者"
    )
    answered_at = models.DateTimeField("回答日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "チェックリスト審査の回答"
        ordering = ["item__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(answer__in=Answer.values),
                name="review_answer_valid",
                violation_error_code="answer",
                violation_error_message="判定は 適・要改善・該当なし のいずれかです。",
            ),
            models.CheckConstraint(
                condition=ChecklistItem.note_unless_ok("evidence"),
                name="review_evidence_unless_ok",
                violation_error_code="evidence",
                violation_error_message="「適」以外の判定には根拠・所見を入力してください。",
            ),
        ]

    def __str__(self):
        return f"{self.item.number}: {self.get_answer_display()}"


class Classification(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT_LED = "department_led", "所管課推進（所管課がOODAで迅速に実施）"
        # Shown with where it goes in the city's flow (label_of):
        # 「（<advisory_short>・<decision_short>へ）」.
        PLANNED = "planned", "計画的推進が必要"

        @classmethod
        def label_of(cls, kind, names=None):
            if kind == cls.PLANNED:
                return f"{cls.PLANNED.label}（{(names or city()).planned_route}へ）"
            return cls(kind).label

        @classmethod
        def named_choices(cls):
            names = city()
            return [(kind, cls.label_of(kind, names)) for kind in cls.values]

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="classifications",
        verbose_name="取組項目",
    )
    kind = models.CharField("分類", max_length=20, choices=Kind.choices)
    reason = models.TextField("理由")
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="分類者"
    )
    created_at = models.DateTimeField("分類日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分類"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["department_led", "planned"]),
                name="classification_kind_valid",
                violation_error_code="kind",
                violation_error_message="分類を選んでください。",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="classification_has_reason",
                violation_error_code="reason",
                violation_error_message="分類の理由を入力してください。",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def get_kind_display(self):
        return self.Kind.label_of(self.kind)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every meeting; an external member only those of the bodies they sit on."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_external:
            return self.filter(body__in=user.bodies.all())
        return self

    def upcoming(self, today):
        return self.filter(held_on__gte=today).order_by("held_on", "pk")

    def past(self, today):
        return self.filter(held_on__lt=today).order_by("-held_on", "-pk")


class Meeting(models.Model):
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="meetings", verbose_name="会議体"
    )
    number = models.PositiveSmallIntegerField("回次")
    held_on = models.DateField("開催日")
    place = models.CharField("場所", max_length=200, blank=True)
    minutes = models.TextField("議事要旨", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "会議"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="meeting_number_unique"),
        ]

    def __str__(self):
        return f"{self.body.name} 第{self.number}回"

    def get_absolute_url(self):
        return reverse("reviews:meeting", args=[self.pk])


def meeting_attachment_path(instance, filename):
    return (
        f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"
    )


class MeetingAttachment(StoredFile):
    folder = "meetings"  # meeting_attachment_path
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会議"
    )
    file = models.FileField("ファイル", upload_to=meeting_attachment_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = verbose_name_plural = "会議資料"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="agenda", verbose_name="会議"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="agenda_items", verbose_name="取組項目"
    )
    order = models.PositiveSmallIntegerField("順序")

    class Meta:
        verbose_name = verbose_name_plural = "議題"
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "initiative"], name="agenda_item_once"),
        ]

    def __str__(self):
        return f"{self.meeting} 議題{self.order}: {self.initiative}"


class Opinion(models.Model):
    """意見・提言 of the council on one agenda item."""

    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="opinion", verbose_name="議題"
    )
    text = models.TextField("意見・提言")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意見・提言"
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="opinion_has_text",
                violation_error_code="text",
                violation_error_message="意見・提言を入力してください。",
            )
        ]

    def __str__(self):
        return f"{self.agenda_item} への意見"


class Decision(models.Model):
    """The HQ's decision on one agenda item."""

    class Outcome(models.TextChoices):
        DECIDED = "decided", "決定"
        REJECTED = "rejected", "不採択"
        DEFERRED = "deferred", "継続審議"

    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="decision", verbose_name="議題"
    )
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    conditions = models.TextField("条件", blank=True)
    reason = models.TextField("理由")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "決定"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["decided", "rejected", "deferred"]),
                name="decision_outcome_valid",
                violation_error_code="outcome",
                violation_error_message="結果を選んでください。",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="decision_has_reason",
                violation_error_code="reason",
                violation_error_message="理由を入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(outcome="decided") | Q(conditions=""),
                name="decision_conditions_only_when_decided",
                violation_error_code="conditions",
                violation_error_message="条件は「決定」のときだけ付けられます。",
            ),
        ]

    def __str__(self):
        return f"{self.agenda_item}: {self.get_outcome_display()}"


class Correction(models.Model):
    """A correction of a recorded opinion or decision: what it said before, why it changed.
    The opinion or decision itself then says the corrected thing; its corrections, oldest
    first, keep every earlier version."""

    class Kind(models.TextChoices):
        OPINION = "opinion", "意見・提言"
        DECISION = "decision", "決定"

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="corrections", verbose_name="議題"
    )
    kind = models.CharField("訂正したもの", max_length=10, choices=Kind.choices)
    before = models.JSONField("訂正前", default=dict)
    after = models.JSONField("訂正後", default=dict)
    reason = models.TextField("訂正の理由")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="訂正者"
    )
    corrected_at = models.DateTimeField("訂正日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "訂正"
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["opinion", "decision"]), name="correction_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="correction_has_reason",
                violation_error_code="reason",
                violation_error_message="訂正の理由を入力してください。",
            ),
        ]

    def __str__(self):
        return f"{self.agenda_item}の{self.get_kind_display()}の訂正"

    @property
    def before_text(self):
        return _recorded_text(self.kind, self.before)

    @property
    def after_text(self):
        return _recorded_text(self.kind, self.after)


def _recorded_text(kind, values):
    if kind == Correction.Kind.OPINION:
        return values.get("text", "")
    outcome = Decision.Outcome(values["outcome"]).label if values.get("outcome") else ""
    conditions = f"（条件: {values['conditions']}）" if values.get("conditions") else ""
    return f"{outcome}{conditions} — {values.get('reason', '')}"
