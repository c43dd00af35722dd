"""The record of reminder mails for overdue reports (plans.services.reports sends them)."""

from django.db import models


class ReportReminder(models.Model):
    """A reminder mail sent for an overdue report, so that one is not sent every day.

    Unique per day: the daily job may run on several servers at once, and only the one that
    writes the row sends the mail.
    """

    entry = models.ForeignKey("plans.PlanEntry", on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=4)
    sent_on = models.DateField()

    class Meta:
        db_table = "initiatives_reportreminder"  # moved from the initiatives app
        verbose_name = verbose_name_plural = "督促の記録"
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "fiscal_year", "period", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}年度 {self.period} {self.sent_on}"
