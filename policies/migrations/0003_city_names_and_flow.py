"""The city's names and the shape of its flow become data (Municipality, Body.short_name), and
a channel says who proposes on it by function (staff, secretariat, a committee) instead of by
a role's name.

An existing database had those names in the code; they are written into its data as the code
showed them, so its pages read as before until its master data is loaded again.
"""

import django.db.models.deletion
from django.db import migrations, models


# What the code said before this migration, for a database that has a municipality already.
OLD_NAMES = {
    "document_name": "DX推進方針",
    "secretariat_name": "情報政策課",
    "promoter_title": "DX推進員",
    "former_plan_name": "ICT利活用推進計画",
}
OLD_SHORT_NAMES = {"council": "協議会", "headquarters": "推進本部"}
OLD_SECRETARIAT_ROLE = "情報政策課"
OLD_REQUIRED = [
    "title", "policy", "current_issues", "content", "effect_citizens", "effect_staff",
    "staff_hours_saved", "small_start_plan", "initial_cost", "running_cost", "funding_sources",
    "affected_departments", "milestones", "security", "self_check",
]


def names_from_the_old_code(apps, schema_editor):
    Municipality = apps.get_model("policies", "Municipality")
    Body = apps.get_model("policies", "Body")
    Department = apps.get_model("policies", "Department")
    for municipality in Municipality.objects.all():
        for field, value in OLD_NAMES.items():
            if not getattr(municipality, field):
                setattr(municipality, field, value)
        municipality.required_at_submission = municipality.required_at_submission or OLD_REQUIRED
        municipality.secretariat_department = Department.objects.filter(
            code="joho-seisaku"
        ).first()
        municipality.save()
    if Municipality.objects.exists():
        for kind, short in OLD_SHORT_NAMES.items():
            Body.objects.filter(kind=kind, short_name="").update(short_name=short)


def proposers_from_roles(apps, schema_editor):
    Channel = apps.get_model("policies", "Channel")
    Body = apps.get_model("policies", "Body")
    for channel in Channel.objects.exclude(eligible_role=""):
        committee = Body.objects.filter(kind="committee", name=channel.eligible_role).first()
        if committee is not None:
            channel.proposed_by, channel.committee = "committee", committee
        elif channel.eligible_role == OLD_SECRETARIAT_ROLE:
            channel.proposed_by = "secretariat"
        channel.save()


def roles_from_proposers(apps, schema_editor):
    Channel = apps.get_model("policies", "Channel")
    for channel in Channel.objects.exclude(proposed_by="staff").select_related("committee"):
        channel.eligible_role = (
            channel.committee.name if channel.committee_id else OLD_SECRETARIAT_ROLE
        )
        channel.save()


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0002_historicaldepartment'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='checklist',
            options={'ordering': ['edition', 'version'], 'verbose_name': 'チェックリスト', 'verbose_name_plural': 'チェックリスト'},
        ),
        migrations.AlterModelOptions(
            name='policyedition',
            options={'ordering': ['-adopted_on'], 'verbose_name': '方針（版）', 'verbose_name_plural': '方針（版）'},
        ),
        migrations.AddField(
            model_name='body',
            name='short_name',
            field=models.CharField(blank=True, help_text='状態の表示などに使う短い名称', max_length=50, verbose_name='略称'),
        ),
        migrations.AddField(
            model_name='channel',
            name='committee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='channels', to='policies.body', verbose_name='提案する委員会'),
        ),
        migrations.AddField(
            model_name='channel',
            name='proposed_by',
            field=models.CharField(choices=[('staff', '所属の職員'), ('secretariat', '事務局'), ('committee', '委員会の委員')], default='staff', max_length=20, verbose_name='提案できる人'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='advisory_opinion',
            field=models.BooleanField(default=True, help_text='計画的に推進する取組項目を、決定する会議体の前に、意見・提言を行う会議体に付議します。', verbose_name='決定の前に意見を聴く'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='document_name',
            field=models.CharField(blank=True, help_text='市がこの方針（計画）を呼ぶ名称', max_length=100, verbose_name='方針の名称'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='former_plan_name',
            field=models.CharField(blank=True, help_text='空欄なら、旧計画からの継続登録はありません', max_length=100, verbose_name='継続する旧計画の名称'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='promoter_title',
            field=models.CharField(blank=True, help_text='各所属で取組項目を抽出する職員の呼び名', max_length=50, verbose_name='所属の推進役の名称'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='required_at_submission',
            field=models.JSONField(blank=True, default=list, help_text='取組項目（案）の項目名の一覧', verbose_name='提出に必要な項目'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='secretariat_department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.department', verbose_name='事務局の所属'),
        ),
        migrations.AddField(
            model_name='municipality',
            name='secretariat_name',
            field=models.CharField(blank=True, help_text='取りまとめ・審査を行う部署やチームの名称', max_length=100, verbose_name='事務局の名称'),
        ),
        migrations.AlterField(
            model_name='checklist',
            name='title',
            field=models.CharField(default='チェックリスト', max_length=100, verbose_name='名称'),
        ),
        migrations.RunPython(names_from_the_old_code, migrations.RunPython.noop),
        migrations.RunPython(proposers_from_roles, roles_from_proposers),
        migrations.RemoveField(
            model_name='channel',
            name='eligible_role',
        ),
        migrations.AddConstraint(
            model_name='channel',
            constraint=models.CheckConstraint(condition=models.Q(('proposed_by__in', ['staff', 'secretariat', 'committee'])), name='channel_proposed_by_valid'),
        ),
        migrations.AddConstraint(
            model_name='channel',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('committee__isnull', False), ('proposed_by', 'committee')), models.Q(models.Q(('proposed_by', 'committee'), _negated=True), ('committee__isnull', True)), _connector='OR'), name='channel_committee_when_proposed_by_one'),
        ),
    ]
