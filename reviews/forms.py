from django import forms

from core.forms import ConstraintErrorsMixin, MultipleFileField, plausible_date
from initiatives.forms import ChecklistAnswersForm
from initiatives.models import Initiative
from policies.models import Body
from policies.names import city

from .models import Classification, Decision, Meeting

S = Initiative.Status


class ChecklistReviewForm(ChecklistAnswersForm):
    """The secretariat's answer and evidence per item of the checklist version in force."""

    answer_label = "判定"
    note_key = "evidence"
    note_label = "根拠・所見"
    note_message = "項目{number}は「適」以外のため、根拠・所見を入力してください。"


class ClassificationForm(forms.Form):
    kind = forms.ChoiceField(
        label="分類", choices=Classification.Kind.named_choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="複数部署の業務に影響するか、計画的な推進が必要かを踏まえて書きます。",
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="差戻しの理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="提案者が何を直せばよいかが分かるように書きます。",
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


class StartReviewForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)


class ConsolidationForm(forms.Form):
    originals = forms.ModelMultipleChoiceField(
        label="統合する取組項目",
        queryset=Initiative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="同じ趣旨の提案を2件以上選びます。選んだものだけが統合されます。",
    )
    primary = forms.ModelChoiceField(
        label="統合先",
        queryset=Initiative.objects.none(),
        required=False,
        empty_label="新しい取組項目を作成する",
        help_text="選んだ取組項目の1つを統合先にするか、新しい取組項目を作成します。",
    )
    source = forms.ModelChoiceField(
        label="基本方針・効果・費用などを引き継ぐ取組項目",
        queryset=Initiative.objects.none(),
        empty_label="選んでください",
    )
    title = forms.CharField(label="統合後の取組名", max_length=200)
    content = forms.CharField(label="統合後の取組内容", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        names = city()
        self.fields["primary"].help_text += (
            f"新しく作成した場合は{names.secretariat}が提案者になり、"
            f"元の提案者と{names.promoter}にも以後の通知が届きます。"
        )
        for name in ("originals", "primary", "source"):
            self.fields[name].queryset = candidates
            self.fields[name].label_from_instance = lambda i: (
                f"{i.title}（{i.department.full_name}・{i.get_status_display()}）"
            )

    def clean(self):
        data = super().clean()
        originals = data.get("originals") or []
        if originals and len(originals) < 2:
            self.add_error("originals", "異なる取組項目を2件以上選んでください。")
        ids = {o.pk for o in originals}
        for name in ("primary", "source"):
            chosen = data.get(name)
            if chosen is not None and ids and chosen.pk not in ids:
                self.add_error(name, "「統合する取組項目」で選んだものの中から選んでください。")
        return data


class UndoConsolidationForm(forms.Form):
    reason = forms.CharField(
        label="取り消す理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="元の提案者への通知と変更履歴に残ります。",
    )


class MeetingForm(ConstraintErrorsMixin, forms.ModelForm):
    number = forms.IntegerField(
        label="回次",
        min_value=1,
        max_value=999,
        required=False,
        help_text="空欄なら、その会議体の次の回になります。",
    )

    class Meta:
        model = Meeting
        fields = ["body", "number", "held_on", "place"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_held_on(self):
        return plausible_date(self.cleaned_data.get("held_on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.all()
        self.fields["body"].empty_label = "選んでください"


class MinutesForm(ConstraintErrorsMixin, forms.ModelForm):
    new_files = MultipleFileField(
        label="会議資料を追加", help_text="PDF、Word、Excel、PowerPoint、CSV、PNG、JPEG"
    )

    class Meta:
        model = Meeting
        fields = ["held_on", "place", "minutes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def clean_held_on(self):
        return plausible_date(self.cleaned_data.get("held_on"))


class AgendaForm(forms.Form):
    initiative = forms.ModelChoiceField(
        label="議題にする取組項目", queryset=Initiative.objects.none(), empty_label="選んでください"
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = candidates
        self.fields["initiative"].label_from_instance = lambda i: (
            f"{i.title}（{i.department.full_name}・{i.get_status_display()}）"
        )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label="意見・提言", widget=forms.Textarea(attrs={"rows": 3}), max_length=8000
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="結果", choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label="条件（決定の場合・任意）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    reason = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def clean(self):
        data = super().clean()
        if data.get("conditions", "").strip() and data.get("outcome") != Decision.Outcome.DECIDED:
            self.add_error("conditions", "条件は「決定」のときだけ付けられます。")
        return data


class CorrectionReasonMixin(forms.Form):
    why = forms.CharField(
        label="訂正の理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text="何が誤っていたかを書きます。訂正前の内容も記録に残ります。",
    )


class OpinionCorrectionForm(OpinionForm, CorrectionReasonMixin):
    pass


class DecisionCorrectionForm(DecisionForm, CorrectionReasonMixin):
    pass
