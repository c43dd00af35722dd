from django.contrib import admin

from core.admin import PortalAdmin

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


class PolicyInline(admin.TabularInline):
    model = Policy
    extra = 0
    fields = ("number", "name")
    show_change_link = True


class ChecklistInline(admin.TabularInline):
    model = Checklist
    extra = 0
    show_change_link = True


@admin.register(PolicyEdition)
class PolicyEditionAdmin(PortalAdmin):
    list_display = ("title", "code", "adopted_on", "start_fiscal_year", "end_fiscal_year")
    search_fields = ("title", "code")
    list_filter = ("adopted_on",)
    date_hierarchy = "adopted_on"
    inlines = [PolicyInline, ChecklistInline]


class ExampleInline(admin.TabularInline):
    model = ExampleInitiative
    extra = 0


@admin.register(Policy)
class PolicyAdmin(PortalAdmin):
    list_display = ("__str__", "edition", "number", "name")
    list_filter = ("edition",)
    search_fields = ("name", "description")
    list_select_related = ("edition",)
    inlines = [ExampleInline]


@admin.register(ExampleInitiative)
class ExampleInitiativeAdmin(PortalAdmin):
    list_display = ("__str__", "policy", "number", "title")
    list_filter = ("policy__edition", "policy")
    search_fields = ("title",)
    list_select_related = ("policy", "policy__edition")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(PortalAdmin):
    list_display = ("__str__", "edition", "version")
    list_filter = ("edition",)
    search_fields = ("title", "items__text")
    list_select_related = ("edition",)
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(PortalAdmin):
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
