from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from core.fiscal import fiscal_year, format_fiscal_year
from core.forms import (
    ROW_LIMIT_MESSAGES,
    ConstraintErrorsMixin,
    MultipleFileField,
    plausible_date,
)
from policies.models import ChecklistItem, Department, ExampleInitiative

from .access import channels_for
from .models import MAX_YEN, PROPOSAL_FIELDS, CaseStudy, Initiative, Milestone
from .services import save_self_check


def department_choices():
    return [
        (d.pk, d.full_name)
        for d in Department.objects.active().select_related("parent").order_by("order", "code")
    ]


def fiscal_year_choices(around=None):
    current = fiscal_year(around or timezone.localdate())
    return [("", "—")] + [(y, format_fiscal_year(y)) for y in range(current - 1, current + 9)]


class InitiativeForm(ConstraintErrorsMixin, forms.ModelForm):
    funding_sources = forms.MultipleChoiceField(
        label="財源",
        choices=Initiative.Funding.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_files = MultipleFileField(
        label="添付ファイルを追加",
        help_text="PDF、Word、Excel、PowerPoint、CSV、PNG、JPEG（1ファイル20MBまで、複数選択可）",
    )

    class Meta:
        model = Initiative
        fields = PROPOSAL_FIELDS
        widgets = {
            "examples": forms.CheckboxSelectMultiple,
            "affected_departments": forms.CheckboxSelectMultiple,
            "current_issues": forms.Textarea(attrs={"rows": 5}),
            "content": forms.Textarea(attrs={"rows": 5}),
            "effect_citizens": forms.Textarea(attrs={"rows": 3}),
            "effect_staff": forms.Textarea(attrs={"rows": 3}),
            "small_start_plan": forms.Textarea(attrs={"rows": 3}),
            "security": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": "何をする取組か、一行で。",
            "examples": "選んだ基本方針の取組例から選びます（任意・複数可）。",
            "affected_departments": "この取組で業務が変わる部署をすべて選びます。",
            "staff_hours_saved": "職員の作業時間が年間で何時間減るか（概算）。",
            "small_start_plan": "小さく始めて、結果を見て軌道修正する計画。",
            "initial_cost": "円単位の整数。未定の場合は空欄のまま下書き保存できます。",
            "running_cost": "運用開始後の年額。円単位の整数。",
            "security": "個人情報の扱い、クラウド利用、アクセス管理など。",
        }

    def __init__(self, *args, user, edition, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        allowed = channels_for(user, channels)
        self.fields["channel"].queryset = self.fields["channel"].queryset.filter(
            pk__in=[c.pk for c in allowed]
        )
        self.fields["channel"].empty_label = "選んでください"
        self.fields["policy"].queryset = edition.policies.order_by("number")
        self.fields["policy"].empty_label = "選んでください"
        examples = list(
            ExampleInitiative.objects.filter(policy__edition=edition)
            .select_related("policy")
            .order_by("policy__number", "number")
        )
        self.fields["examples"].queryset = ExampleInitiative.objects.filter(policy__edition=edition)
        grouped = {}
        for ex in examples:
            grouped.setdefault(str(ex.policy), []).append(
                (ex.pk, f"{ex.policy.number}-{ex.number} {ex.title}")
            )
        self.fields["examples"].choices = list(grouped.items())
        self.fields["affected_departments"].choices = department_choices()
        for name in ("initial_cost", "running_cost"):
            self.fields[name].max_value = MAX_YEN
            self.fields[name].widget.attrs.update(
                {"min": 0, "max": MAX_YEN, "inputmode": "numeric"}
            )
        self.fields["staff_hours_saved"].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        # A draft may be incomplete: only what identifies it is required to save.
        for name, f in self.fields.items():
            f.required = name in ("title", "channel")

    def clean_initial_cost(self):
        return self._clean_yen("initial_cost")

    def clean_running_cost(self):
        return self._clean_yen("running_cost")

    def _clean_yen(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not 0 <= value <= MAX_YEN:
            raise forms.ValidationError("0円から1兆円までの金額を円単位で入力してください。")
        return value

    def clean(self):
        data = super().clean()
        policy, examples = data.get("policy"), data.get("examples")
        if examples:
            if policy is None:
                self.add_error("examples", "取組例を選ぶ前に基本方針を選んでください。")
            else:
                others = [e for e in examples if e.policy_id != policy.pk]
                if others:
                    titles = "、".join(e.title for e in others)
                    self.add_error(
                        "examples",
                        f"選んだ基本方針（方針{policy.number}）以外の取組例は選べません: {titles}",
                    )
        return data


class MilestoneForm(ConstraintErrorsMixin, forms.ModelForm):
    target_fiscal_year = forms.TypedChoiceField(
        label="目標年度", coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = Milestone
        fields = ["kind", "label", "target_date", "target_fiscal_year"]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_fiscal_year"].choices = fiscal_year_choices()
        self.fields["kind"].choices = [("", "選んでください"), *Milestone.Kind.choices]

    def clean_target_date(self):
        return plausible_date(self.cleaned_data.get("target_date"))

    def clean(self):
        data = super().clean()
        if data.get("kind") and not (data.get("target_date") or data.get("target_fiscal_year")):
            self.add_error("target_date", "目標日か目標年度のどちらかを入力してください。")
        if data.get("kind") == Milestone.Kind.OTHER and not data.get("label"):
            self.add_error("label", "区分が「その他」のときは内容を入力してください。")
        return data


class RowsFormSet(BaseInlineFormSet):
    """Rows of a proposal (schedule, cases), limited on the server to what the page offers."""

    default_error_messages = ROW_LIMIT_MESSAGES


MilestoneFormSet = inlineformset_factory(
    Initiative,
    Milestone,
    form=MilestoneForm,
    formset=RowsFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class CaseStudyForm(ConstraintErrorsMixin, forms.ModelForm):
    url = forms.URLField(label="URL", required=False, assume_scheme="https")

    class Meta:
        model = CaseStudy
        fields = ["name", "url", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


CaseStudyFormSet = inlineformset_factory(
    Initiative,
    CaseStudy,
    formset=RowsFormSet,
    form=CaseStudyForm,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class ChecklistAnswersForm(forms.Form):
    """An answer and a note per item of a checklist version: the proposer's self-check and
    the secretariat's review alike. Any answer but 適 needs its note (ChecklistItem.needs_note)."""

    answer_label = "回答"
    note_key = "note"
    note_label = "補足"
    note_help = ""
    note_message = "項目{number}は「{answer}」のため、補足を入力してください。"

    def __init__(self, *args, items, answers=None, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.items = list(items)
        answers = answers or {}
        for item in self.items:
            current = answers.get(item.pk)
            self.fields[f"answer_{item.number}"] = forms.ChoiceField(
                # The item's text is the legend of the fieldset around answer and note.
                label=f"項目{item.number}の{self.answer_label}",
                choices=ChecklistItem.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=current.answer if current else None,
            )
            self.fields[f"{self.note_key}_{item.number}"] = forms.CharField(
                label=f"項目{item.number}の{self.note_label}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=self.note_help,
                initial=getattr(current, self.note_key) if current else "",
            )

    def rows(self):
        """(item, answer field, note field) for the template."""
        return [
            (i, self[f"answer_{i.number}"], self[f"{self.note_key}_{i.number}"]) for i in self.items
        ]

    def clean(self):
        data = super().clean()
        for item in self.items:
            answer = data.get(f"answer_{item.number}")
            note = (data.get(f"{self.note_key}_{item.number}") or "").strip()
            if ChecklistItem.needs_note(answer) and not note:
                self.add_error(
                    f"{self.note_key}_{item.number}",
                    self.note_message.format(
                        number=item.number, answer=ChecklistItem.Answer(answer).label
                    ),
                )
        return data

    def answers(self):
        """{ChecklistItem: (answer, note)} as entered."""
        return {
            item: (
                self.cleaned_data.get(f"answer_{item.number}"),
                (self.cleaned_data.get(f"{self.note_key}_{item.number}") or "").strip(),
            )
            for item in self.items
        }


class SelfCheckForm(ChecklistAnswersForm):
    """The proposer's answers to the checklist version in force for the initiative."""

    note_help = "「要改善」「該当なし」のときは理由や対応を必ず書きます。"

    def save(self, initiative):
        save_self_check(initiative, self.answers())


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


MilestoneFormSet.summary_label = "スケジュール"
CaseStudyFormSet.summary_label = "他自治体等の事例"
