import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin import PortalAdmin

from . import editions
from .models import (
    Body,
    Channel,
    Checklist,
    ChecklistItem,
    ComprehensivePlan,
    Department,
    ExampleInitiative,
    GlossaryTerm,
    Measure,
    Municipality,
    Policy,
    PolicyEdition,
)


@admin.register(Municipality)
class MunicipalityAdmin(PortalAdmin):
    list_display = ("name",)
    search_fields = ("name",)


def _edition_of(obj):
    """The edition a record of the policy's content belongs to."""
    if isinstance(obj, PolicyEdition):
        return obj
    if isinstance(obj, Policy | Checklist):
        return obj.edition
    if isinstance(obj, ExampleInitiative):
        return obj.policy.edition
    if isinstance(obj, ChecklistItem):
        return obj.checklist.edition
    return None


class EditionContentMixin:
    """An adopted edition is what the city decided: its policies, examples and checklist are
    read, not edited (a revision is a new edition). A draft is edited freely."""

    def _adopted(self, obj):
        edition = _edition_of(obj) if obj is not None else None
        return edition is not None and not edition.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._adopted(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._adopted(obj)

    def has_add_permission(self, request, obj=None):
        # Inlines are asked with the parent; model admins without it.
        args = (request, obj) if isinstance(self, admin.options.InlineModelAdmin) else (request,)
        return super().has_add_permission(*args) and not self._adopted(obj)

    # Nothing is added to, or moved into, an adopted edition: its records' parents are drafts.
    DRAFT_PARENTS = {
        "edition": lambda: PolicyEdition.objects.drafts(),
        "policy": lambda: Policy.objects.filter(edition__adopted_on__isnull=True),
        "checklist": lambda: Checklist.objects.filter(edition__adopted_on__isnull=True),
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        drafts = self.DRAFT_PARENTS.get(db_field.name)
        if drafts is not None and db_field.model is not PolicyEdition:
            field.queryset = drafts()
        return field

    def save_model(self, request, obj, form, change):
        if self._adopted(obj):
            raise PermissionDenied(
                "採択済みの版の内容は変更できません。改定は次の版の案で行います。"
            )
        super().save_model(request, obj, form, change)


class EarlierChoicesMixin:
    """What a draft's policy or example continues: records of adopted editions, named with
    their edition so that two editions' 方針1 can be told apart."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "continues":
            field.queryset = Policy.objects.filter(
                edition__adopted_on__isnull=False
            ).select_related("edition")
            field.label_from_instance = lambda p: f"{p.edition.title} 方針{p.number} {p.name}"
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "continues":
            field.queryset = ExampleInitiative.objects.filter(
                policy__edition__adopted_on__isnull=False
            ).select_related("policy__edition")
            field.label_from_instance = lambda x: (
                f"{x.policy.edition.title} {x.policy.number}-{x.number} {x.title}"
            )
            field.help_text = "前の版の取組例のうち、この取組例が引き継ぐもの（複数可）"
        return field


class PolicyInline(EarlierChoicesMixin, EditionContentMixin, admin.TabularInline):
    model = Policy
    extra = 0
    fields = ("number", "name", "continues")
    show_change_link = True
    fk_name = "edition"


class ChecklistInline(EditionContentMixin, admin.TabularInline):
    model = Checklist
    extra = 0
    show_change_link = True


class AdoptForm(forms.Form):
    title = forms.CharField(
        label="採択する版の名称",
        max_length=100,
        error_messages={"required": "名称を入力してください。"},
    )
    adopted_on = forms.DateField(
        label="策定日（この日から適用）",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "策定日を入力してください。",
            "invalid": "日付の形が正しくありません。",
        },
    )


@admin.register(PolicyEdition)
class PolicyEditionAdmin(EditionContentMixin, PortalAdmin):
    list_display = ("title", "code", "state", "adopted_on", "start_fiscal_year", "end_fiscal_year")
    search_fields = ("title", "code")
    list_filter = ("adopted_on",)
    inlines = [PolicyInline, ChecklistInline]
    actions = ["draft_next"]
    readonly_fields = ("adopted_on", "based_on")
    change_form_template = "admin/policies/policyedition/change_form.html"

    @admin.display(description="状態")
    def state(self, obj):
        return "案（未採択）" if obj.is_draft else "採択済み"

    @admin.action(description="選んだ版をもとに、次の版の案を作る", permissions=["add"])
    def draft_next(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "もとにする版を1つだけ選んでください。", messages.ERROR)
            return None
        try:
            draft = editions.draft_next(queryset.get(), actor=request.user)
        except editions.EditionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(
            request,
            f"「{draft.title}」を案として作りました。基本方針・取組例・チェックリストを直し、"
            "プレビューで確かめてから採択してください。",
        )
        return redirect("admin:policies_policyedition_change", draft.pk)

    def get_urls(self):
        return [
            path(
                "<int:pk>/adopt/",
                self.admin_site.admin_view(self.adopt_view),
                name="policies_policyedition_adopt",
            ),
            *super().get_urls(),
        ]

    def adopt_view(self, request, pk):
        draft = get_object_or_404(PolicyEdition, pk=pk)
        if not editions.may_edit(request.user):
            raise PermissionDenied
        initial = {
            "adopted_on": datetime.date.today(),
            "title": draft.title.replace(editions.DRAFT_SUFFIX, ""),
        }
        form = AdoptForm(request.POST or None, initial=initial)
        problems = []
        if request.method == "POST" and form.is_valid():
            on, title = form.cleaned_data["adopted_on"], form.cleaned_data["title"]
            try:
                editions.adopt(draft, on=on, title=title, actor=request.user)
            except editions.EditionError:
                problems = editions.adoption_problems(draft, on, title)
            else:
                self.message_user(
                    request,
                    f"「{title}」を採択しました（{form.cleaned_data['adopted_on']:%Y年%-m月%-d日}から適用）。"
                    "これからの提案はこの版を使い、提案済みの取組項目はもとの版のままです。",
                )
                return redirect("admin:policies_policyedition_change", draft.pk)
        elif not draft.is_draft:
            problems = ["この版は既に採択されています。"]
        return TemplateResponse(
            request,
            "admin/policies/policyedition/adopt.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"「{draft.title}」の採択",
                "edition": draft,
                "form": form,
                "problems": problems,
                "preview_url": draft.get_absolute_url(),
                "change_url": reverse("admin:policies_policyedition_change", args=[draft.pk]),
            },
        )


class ExampleInline(EarlierChoicesMixin, EditionContentMixin, admin.TabularInline):
    model = ExampleInitiative
    extra = 0
    fields = ("number", "title", "continues")


@admin.register(Policy)
class PolicyAdmin(EarlierChoicesMixin, EditionContentMixin, PortalAdmin):
    list_display = ("__str__", "edition", "number", "name")
    list_filter = ("edition",)
    search_fields = ("name", "description")
    list_select_related = ("edition",)
    inlines = [ExampleInline]
    fields = ("edition", "number", "name", "description", "continues")


@admin.register(ExampleInitiative)
class ExampleInitiativeAdmin(EarlierChoicesMixin, EditionContentMixin, PortalAdmin):
    list_display = ("__str__", "policy", "number", "title")
    list_filter = ("policy__edition", "policy")
    search_fields = ("title",)
    list_select_related = ("policy", "policy__edition")
    filter_horizontal = ("continues",)


class ChecklistItemInline(EditionContentMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(EditionContentMixin, PortalAdmin):
    list_display = ("__str__", "edition", "version")
    list_filter = ("edition",)
    search_fields = ("title", "items__text")
    list_select_related = ("edition",)
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(EditionContentMixin, PortalAdmin):
    list_display = ("number", "text", "checklist")
    list_filter = ("checklist__edition", "checklist")
    search_fields = ("text",)
    list_select_related = ("checklist", "checklist__edition")


@admin.register(Channel)
class ChannelAdmin(PortalAdmin):
    list_display = ("name", "code", "extracted_by", "proposed_by", "committee", "order")
    search_fields = ("name", "description")
    list_filter = ("proposed_by",)


class BodyMemberInline(admin.TabularInline):
    """The body's members, edited from the body as well as from each account."""

    model = Body.members.through
    extra = 0
    autocomplete_fields = ("user",)
    verbose_name = verbose_name_plural = "委員"


@admin.register(Body)
class BodyAdmin(PortalAdmin):
    inlines = [BodyMemberInline]
    list_display = ("name", "short_name", "code", "kind", "order")
    search_fields = ("name", "description")
    list_filter = ("kind",)


@admin.register(Department)
class DepartmentAdmin(PortalAdmin):
    list_display = ("full_name", "code", "parent", "is_active", "order")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "code", "parent__name")
    list_select_related = ("parent",)

    @admin.display(description="所属名", ordering="name")
    def full_name(self, obj):
        return obj.full_name


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(PortalAdmin):
    list_display = ("term", "order")
    search_fields = ("term", "description")
    list_filter = ("order",)


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0


@admin.register(ComprehensivePlan)
class ComprehensivePlanAdmin(PortalAdmin):
    list_display = ("name", "stage", "code")
    search_fields = ("name", "stage")
    list_filter = ("stage",)
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(PortalAdmin):
    list_display = ("name", "plan", "code")
    search_fields = ("name",)
    list_filter = ("plan",)
    list_select_related = ("plan",)
