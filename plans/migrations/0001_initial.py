"""The 実施計画 and PDCA models move here from the initiatives app, keeping their tables
(db_table) and rows: only Django's idea of where they live changes (SeparateDatabaseAndState),
with their content types, so that permissions and audit events follow them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = (
    "implementationplan",
    "planentry",
    "planrevision",
    "planyear",
    "kpi",
    "reportschedule",
    "progressreport",
    "kpiactual",
    "reportreminder",
)


def _relabel(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _relabel(apps, "initiatives", "plans")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "plans", "initiatives")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('initiatives', '0005_audit_events'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('policies', '0002_historicaldepartment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImplementationPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=100, verbose_name='名称')),
                        ('start_fiscal_year', models.PositiveSmallIntegerField(verbose_name='開始年度')),
                        ('end_fiscal_year', models.PositiveSmallIntegerField(verbose_name='終了年度')),
                        ('comprehensive_plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='implementation_plans', to='policies.comprehensiveplan', verbose_name='総合計画')),
                        ('measure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='implementation_plans', to='policies.measure', verbose_name='施策')),
                    ],
                    options={
                        'verbose_name': '実施計画（版）',
                        'verbose_name_plural': '実施計画（版）',
                        'db_table': 'initiatives_implementationplan',
                        'ordering': ['-start_fiscal_year', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PlanEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('origin', models.CharField(choices=[('policy', 'DX推進方針'), ('former_ict', '旧計画（ICT利活用推進計画）からの継続')], default='policy', max_length=20, verbose_name='由来')),
                        ('placed_at', models.DateTimeField(auto_now_add=True, verbose_name='登載日時')),
                        ('initiative', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_entries', to='initiatives.initiative', verbose_name='取組項目')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_entries', to='policies.department', verbose_name='担当課')),
                        ('placed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登載者')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='plans.implementationplan', verbose_name='実施計画')),
                    ],
                    options={
                        'verbose_name': '実施計画への位置付け',
                        'verbose_name_plural': '実施計画への位置付け',
                        'db_table': 'initiatives_planentry',
                        'ordering': ['plan', 'initiative__policy__number', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PlanRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='改定番号')),
                        ('reason', models.TextField(blank=True, verbose_name='改定理由')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='作成日時')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='作成者')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='plans.planentry', verbose_name='位置付け')),
                    ],
                    options={
                        'verbose_name': '計画の改定',
                        'verbose_name_plural': '計画の改定',
                        'db_table': 'initiatives_planrevision',
                        'ordering': ['entry', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='Kpi',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='指標番号')),
                        ('indicator', models.CharField(max_length=200, verbose_name='指標')),
                        ('unit', models.CharField(max_length=30, verbose_name='単位')),
                        ('baseline_value', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='基準値')),
                        ('baseline_year', models.PositiveSmallIntegerField(verbose_name='基準年度')),
                        ('target_value', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='目標値')),
                        ('target_year', models.PositiveSmallIntegerField(verbose_name='目標年度')),
                        ('revision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='kpis', to='plans.planrevision', verbose_name='計画の版')),
                    ],
                    options={
                        'verbose_name': '指標（KPI）',
                        'verbose_name_plural': '指標（KPI）',
                        'db_table': 'initiatives_kpi',
                        'ordering': ['revision', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='PlanYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('planned', models.TextField(verbose_name='計画内容')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='予算額（円）')),
                        ('funding', models.CharField(blank=True, max_length=200, verbose_name='財源')),
                        ('revision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='years', to='plans.planrevision', verbose_name='計画の版')),
                    ],
                    options={
                        'verbose_name': '年度別計画',
                        'verbose_name_plural': '年度別計画',
                        'db_table': 'initiatives_planyear',
                        'ordering': ['revision', 'fiscal_year'],
                    },
                ),
                migrations.CreateModel(
                    name='ProgressReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('period', models.CharField(choices=[('year', '通年'), ('h1', '上半期'), ('h2', '下半期')], default='year', max_length=4, verbose_name='期間')),
                        ('plan_text', models.TextField(blank=True, verbose_name='計画（Plan）')),
                        ('done', models.TextField(blank=True, verbose_name='実績（Do）')),
                        ('amount_spent', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='執行額（円）')),
                        ('evaluation', models.CharField(blank=True, choices=[('A', 'A 順調'), ('B', 'B おおむね順調'), ('C', 'C 遅れ'), ('D', 'D 大幅遅れ')], max_length=1, verbose_name='評価（Check）')),
                        ('progress_percent', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='進捗率（％）')),
                        ('risk', models.CharField(blank=True, choices=[('low', '低'), ('medium', '中'), ('high', '高')], max_length=10, verbose_name='リスク')),
                        ('risk_note', models.TextField(blank=True, verbose_name='リスクの内容')),
                        ('improvement', models.TextField(blank=True, verbose_name='改善・見直し（Act）')),
                        ('status', models.CharField(choices=[('draft', '作成中'), ('submitted', '提出済'), ('returned', '差戻し'), ('confirmed', '確認済')], default='draft', max_length=10, verbose_name='状態')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版数')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='plans.planentry', verbose_name='位置付け')),
                        ('updated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更新者')),
                    ],
                    options={
                        'verbose_name': '進捗報告（PDCA）',
                        'verbose_name_plural': '進捗報告（PDCA）',
                        'db_table': 'initiatives_progressreport',
                        'ordering': ['entry', 'fiscal_year', 'period'],
                    },
                ),
                migrations.CreateModel(
                    name='KpiActual',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='実績値')),
                        ('kpi', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='plans.kpi', verbose_name='指標')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kpi_actuals', to='plans.progressreport', verbose_name='進捗報告')),
                    ],
                    options={
                        'verbose_name': '指標の実績',
                        'verbose_name_plural': '指標の実績',
                        'db_table': 'initiatives_kpiactual',
                    },
                ),
                migrations.CreateModel(
                    name='ReportReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fiscal_year', models.PositiveSmallIntegerField()),
                        ('period', models.CharField(max_length=4)),
                        ('sent_on', models.DateField()),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='plans.planentry')),
                    ],
                    options={
                        'verbose_name': '督促の記録',
                        'verbose_name_plural': '督促の記録',
                        'db_table': 'initiatives_reportreminder',
                        'ordering': ['-sent_on'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportSchedule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('period', models.CharField(choices=[('year', '通年'), ('h1', '上半期'), ('h2', '下半期')], default='year', max_length=4, verbose_name='期間')),
                        ('due_on', models.DateField(verbose_name='提出期限')),
                    ],
                    options={
                        'verbose_name': '進捗報告の提出期限',
                        'verbose_name_plural': '進捗報告の提出期限',
                        'db_table': 'initiatives_reportschedule',
                        'ordering': ['fiscal_year', 'period'],
                        'constraints': [models.UniqueConstraint(fields=('fiscal_year', 'period'), name='report_schedule_unique'), models.CheckConstraint(condition=models.Q(('period__in', ['year', 'h1', 'h2'])), name='report_schedule_period_valid')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='implementationplan',
                    constraint=models.CheckConstraint(condition=models.Q(('end_fiscal_year__gte', models.F('start_fiscal_year'))), name='implementation_plan_period_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='implementationplan',
                    constraint=models.UniqueConstraint(fields=('measure', 'start_fiscal_year', 'end_fiscal_year'), name='implementation_plan_unique_period'),
                ),
                migrations.AddConstraint(
                    model_name='planentry',
                    constraint=models.UniqueConstraint(fields=('initiative', 'plan'), name='plan_entry_once_per_plan'),
                ),
                migrations.AddConstraint(
                    model_name='planentry',
                    constraint=models.CheckConstraint(condition=models.Q(('origin__in', ['policy', 'former_ict'])), name='plan_entry_origin_valid'),
                ),
                migrations.AddConstraint(
                    model_name='planrevision',
                    constraint=models.UniqueConstraint(fields=('entry', 'number'), name='plan_revision_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='planrevision',
                    constraint=models.CheckConstraint(condition=models.Q(('number', 0), models.Q(('reason', ''), _negated=True), _connector='OR'), name='plan_revision_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='kpi',
                    constraint=models.UniqueConstraint(fields=('revision', 'number'), name='kpi_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='kpi',
                    constraint=models.CheckConstraint(condition=models.Q(('unit', ''), _negated=True), name='kpi_has_unit'),
                ),
                migrations.AddConstraint(
                    model_name='planyear',
                    constraint=models.UniqueConstraint(fields=('revision', 'fiscal_year'), name='plan_year_once_per_revision'),
                ),
                migrations.AddConstraint(
                    model_name='planyear',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__lte', 1000000000000)), name='plan_year_amount_bounded'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.UniqueConstraint(fields=('entry', 'fiscal_year', 'period'), name='report_once_per_period'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('progress_percent__lte', 100), ('progress_percent__isnull', True), _connector='OR'), name='report_progress_percent_range'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('amount_spent__lte', 1000000000000), ('amount_spent__isnull', True), _connector='OR'), name='report_amount_bounded'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'returned', 'confirmed'])), name='report_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('evaluation__in', ['', 'A', 'B', 'C', 'D'])), name='report_evaluation_valid'),
                ),
                migrations.AddConstraint(
                    model_name='progressreport',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'returned']), models.Q(models.Q(('evaluation', ''), _negated=True), ('progress_percent__isnull', False)), _connector='OR'), name='report_submitted_is_evaluated'),
                ),
                migrations.AddConstraint(
                    model_name='kpiactual',
                    constraint=models.UniqueConstraint(fields=('report', 'kpi'), name='kpi_actual_once'),
                ),
                migrations.AddConstraint(
                    model_name='reportreminder',
                    constraint=models.UniqueConstraint(fields=('entry', 'fiscal_year', 'period', 'sent_on'), name='reminder_once_a_day'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
