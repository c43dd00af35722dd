"""A submitted report has said what was done, as the services and the workbook required
already: the constraint now checks the same three fields (plans.workflow)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="progressreport",
            name="report_submitted_is_evaluated",
        ),
        migrations.AddConstraint(
            model_name="progressreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ("draft", "returned")),
                    models.Q(
                        models.Q(("done", ""), _negated=True),
                        models.Q(("evaluation", ""), _negated=True),
                        ("progress_percent__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="report_submitted_is_complete",
            ),
        ),
    ]
