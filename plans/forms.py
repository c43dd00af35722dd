from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from core.fiscal import fiscal_year, format_fiscal_year
from core.formatting import decimal_text
from core.forms import ROW_LIMIT_MESSAGES, ConstraintErrorsMixin
from core.uploads import MAX_NAME_CHARS
from initiatives.models import MAX_YEN
from policies.models import Department

from . import follow_up
from .models import (
    NEGATIVE_KPI_MESSAGE,
    ImplementationPlan,
    PlanEntry,
    ProgressNote,
    ProgressReport,
)
from .workbook_checks import MAX_UPLOAD_BYTES


def fiscal_year_field(label, *, required=True, around=None):
    current = fiscal_year(around or timezone.localdate())
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=required,
        choices=[("", "—")]
        + [(y, format_fiscal_year(y)) for y in range(current - 10, current + 11)],
    )


class PlacementForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="実施計画", queryset=ImplementationPlan.objects.all(), empty_label="選んでください"
    )
    owner = forms.ModelChoiceField(
        label="担当課",
        queryset=Department.objects.active().select_related("parent"),
        empty_label="選んでください",
    )

    def __init__(self, *args, proposing=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.label_from_instance = lambda d: d.full_name
        # The departments that proposed the item come first (an idea consolidated from several
        # has more than one); every other department follows.
        proposing = [d for d in proposing if d.is_active]
        if proposing:
            first = {d.pk for d in proposing}
            others = [d for d in field.queryset if d.pk not in first]
            field.choices = [
                ("", field.empty_label),
                ("提案した部署", [(d.pk, d.full_name) for d in proposing]),
                ("その他の部署", [(d.pk, d.full_name) for d in others]),
            ]


class PlanYearForm(forms.Form):
    fiscal_year = fiscal_year_field("年度", required=False)
    planned = forms.CharField(
        label="計画内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.IntegerField(
        label="予算額（円）", required=False, min_value=0, max_value=MAX_YEN
    )
    funding = forms.CharField(label="財源", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) not in (None, "") for k in ("fiscal_year", "planned", "amount"))
        if filled:
            for name, message in (
                ("fiscal_year", "年度を選んでください。"),
                ("planned", "計画内容を入力してください。"),
                ("amount", "予算額を円単位で入力してください（0円も可）。"),
            ):
                if data.get(name) in (None, ""):
                    self.add_error(name, message)
        return data


class KpiForm(forms.Form):
    indicator = forms.CharField(label="指標", required=False, max_length=200)
    unit = forms.CharField(label="単位", required=False, max_length=30)
    baseline_value = forms.DecimalField(
        label="基準値", required=False, max_digits=14, decimal_places=2
    )
    baseline_year = fiscal_year_field("基準年度", required=False)
    target_value = forms.DecimalField(
        label="目標値", required=False, max_digits=14, decimal_places=2
    )
    target_year = fiscal_year_field("目標年度", required=False)
    allows_negative = forms.BooleanField(
        label="マイナスの値を認める",
        required=False,
        help_text="増減数・差分など、値がマイナスになりうる指標のときだけ選びます。",
    )

    def clean(self):
        data = super().clean()
        # An unticked box alone does not make a row filled.
        if any(data.get(k) not in (None, "") for k in self.fields if k != "allows_negative"):
            if not data.get("indicator"):
                self.add_error("indicator", "指標の名称を入力してください。")
            if not data.get("unit"):
                self.add_error("unit", "単位を入力してください（例: 件、時間、％）。")
            for name in ("baseline_value", "baseline_year", "target_value", "target_year"):
                if data.get(name) in (None, ""):
                    self.add_error(name, "入力してください。")
                elif name.endswith("_value") and data[name] < 0 and not data["allows_negative"]:
                    self.add_error(name, NEGATIVE_KPI_MESSAGE)
        return data


class BaseRowFormSet(forms.BaseFormSet):
    default_error_messages = ROW_LIMIT_MESSAGES

    def rows(self):
        """The filled rows' cleaned data (empty rows dropped)."""
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data
            and any(v not in (None, "") and v is not False for v in f.cleaned_data.values())
        ]


PlanYearFormSet = forms.formset_factory(
    PlanYearForm, formset=BaseRowFormSet, extra=3, max_num=20, validate_max=True
)
PlanYearFormSet.summary_label = "年度別計画"
KpiFormSet = forms.formset_factory(
    KpiForm, formset=BaseRowFormSet, extra=2, max_num=20, validate_max=True
)
KpiFormSet.summary_label = "指標"


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label="改定理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="なぜスケジュール・予算・目標値を変えるのかを書きます。当初計画（ベースライン）はそのまま残ります。",
    )


class ContinuingForm(PlacementForm):
    title = forms.CharField(label="取組名", max_length=200)
    content = forms.CharField(label="取組内容", widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(ConstraintErrorsMixin, forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = [
            "done",
            "amount_spent",
            "evaluation",
            "progress_percent",
            "risk",
            "risk_note",
            "improvement",
        ]
        widgets = {
            "done": forms.Textarea(attrs={"rows": 4}),
            "risk_note": forms.Textarea(attrs={"rows": 2}),
            "improvement": forms.Textarea(attrs={"rows": 3}),
            "evaluation": forms.RadioSelect,
            "risk": forms.RadioSelect,
        }
        help_texts = {
            "progress_percent": "計画全体に対する進み具合（0〜100）。評価やリスクとは別に記入します。",
            "evaluation": "A 順調 / B おおむね順調 / C 遅れ / D 大幅遅れ",
        }

    def __init__(self, *args, kpis=(), actuals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluation"].choices = ProgressReport.Evaluation.choices
        self.fields["risk"].choices = ProgressReport.Risk.choices
        # Bounds as validators too (max_value set after the field exists validates nothing).
        for name, low, high in (("amount_spent", 0, MAX_YEN), ("progress_percent", 0, 100)):
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})
        self.kpis = list(kpis)
        actuals = actuals or {}
        for kpi in self.kpis:
            self.fields[f"kpi_{kpi.number}"] = forms.DecimalField(
                label=f"{kpi.indicator}の実績（{kpi.unit}）",
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=None if kpi.allows_negative else 0,
                error_messages={"min_value": NEGATIVE_KPI_MESSAGE},
                help_text=f"目標: {decimal_text(kpi.target_value)}{kpi.unit}（{format_fiscal_year(kpi.target_year)}）",
                initial=actuals.get(kpi.pk),
            )

    def kpi_fields(self):
        return [self[f"kpi_{k.number}"] for k in self.kpis]

    def kpi_values(self):
        return {k: self.cleaned_data.get(f"kpi_{k.number}") for k in self.kpis}


class ReportReviewForm(forms.Form):
    comment = forms.CharField(
        label="コメント（差戻しの場合は必須）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label="記入したExcelファイル（.xlsx）",
        # Its name is not kept, but a long one still passes the parser's limit (file-names.js).
        widget=forms.ClearableFileInput(attrs={"data-max-name-chars": MAX_NAME_CHARS}),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("ダウンロードしたExcelファイル（.xlsx）を選んでください。")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）。"
            )
        return upload


ORIGIN_CHOICES = PlanEntry.Origin.choices


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgressNoteForm(ConstraintErrorsMixin, forms.ModelForm):
    class Meta:
        model = ProgressNote
        fields = ["recorded_on", "observed", "acted", "progress_percent", "next_step", "next_due"]
        widgets = {
            "recorded_on": _date_widget(),
            "next_due": _date_widget(),
            "observed": forms.Textarea(attrs={"rows": 3}),
            "acted": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["progress_percent"]
        field.validators += [MinValueValidator(0), MaxValueValidator(100)]
        field.widget.attrs.update({"min": 0, "max": 100})

    def clean_recorded_on(self):
        value = self.cleaned_data["recorded_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("記録日に未来の日付は入力できません。")
        return value

    def clean(self):
        data = super().clean()
        recorded_on, next_due = data.get("recorded_on"), data.get("next_due")
        if recorded_on and next_due and next_due > follow_up.max_next_due(recorded_on):
            self.add_error("next_due", follow_up.too_far_message())
        return data
