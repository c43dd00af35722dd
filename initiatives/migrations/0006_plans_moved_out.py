"""The 実施計画 and PDCA models now live in the plans app (plans 0001): the initiatives app
forgets them. Their tables stay; nothing is written to the database here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0005_audit_events'),
        ('plans', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='implementationplan',
                    name='comprehensive_plan',
                ),
                migrations.RemoveField(
                    model_name='implementationplan',
                    name='measure',
                ),
                migrations.RemoveField(
                    model_name='planentry',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='kpi',
                    name='revision',
                ),
                migrations.RemoveField(
                    model_name='kpiactual',
                    name='kpi',
                ),
                migrations.RemoveField(
                    model_name='kpiactual',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='planentry',
                    name='initiative',
                ),
                migrations.RemoveField(
                    model_name='planentry',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='planentry',
                    name='placed_by',
                ),
                migrations.RemoveField(
                    model_name='progressreport',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='reportreminder',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='planrevision',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='planrevision',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='planyear',
                    name='revision',
                ),
                migrations.RemoveField(
                    model_name='progressreport',
                    name='updated_by',
                ),
                migrations.DeleteModel(
                    name='ReportSchedule',
                ),
                migrations.DeleteModel(
                    name='ImplementationPlan',
                ),
                migrations.DeleteModel(
                    name='Kpi',
                ),
                migrations.DeleteModel(
                    name='KpiActual',
                ),
                migrations.DeleteModel(
                    name='ReportReminder',
                ),
                migrations.DeleteModel(
                    name='PlanEntry',
                ),
                migrations.DeleteModel(
                    name='PlanRevision',
                ),
                migrations.DeleteModel(
                    name='PlanYear',
                ),
                migrations.DeleteModel(
                    name='ProgressReport',
                ),
            ],
            database_operations=[],
        ),
    ]
