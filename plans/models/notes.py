"""The progress log of an item the department carries out itself (所管課推進).

The policy lets a department take an item forward on its own, quickly, in the OODA way; it is
not placed in the 実施計画 and has no PDCA report. It still reports progress: each note is one
turn of the loop (what the department saw, what it decided and did, how far it has come) and
says when the next note will come, so that a late one shows on the lists. Notes are not edited;
a wrong one is put right by the next.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from initiatives.models import Initiative


class ProgressNote(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="progress_notes", verbose_name="取組"
    )
    recorded_on = models.DateField("記録日")
    observed = models.TextField(
        "状況と気づき（観察・判断）",
        help_text="利用者や現場の様子、数字の動き、前回からの変化など。",
    )
    acted = models.TextField("決めたこと・実行したこと", help_text="この期間に決めて実行したこと。")
    progress_percent = models.PositiveSmallIntegerField(
        "進捗率（％）", help_text="取組全体に対するおおよその進み具合（0〜100）。"
    )
    next_step = models.TextField("次に行うこと", blank=True)
    next_due = models.DateField(
        "次回の記録予定日", help_text="次の記録を書く日。間を空けすぎないようにします。"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "進捗の記録（所管課推進）"
        ordering = ["initiative", "recorded_on", "pk"]
        indexes = [models.Index(fields=["initiative", "-recorded_on"], name="note_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100),
                name="note_progress_percent_range",
                violation_error_code="progress_percent",
                violation_error_message="進捗率は0から100までの整数で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(next_due__gt=F("recorded_on")),
                name="note_next_due_after_recorded",
                violation_error_code="next_due",
                violation_error_message="次回の記録予定日は記録日より後の日付にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.initiative} {self.recorded_on:%Y-%m-%d}の記録"

    def get_absolute_url(self):
        return f"{self.initiative.get_absolute_url()}#note-{self.pk}"
