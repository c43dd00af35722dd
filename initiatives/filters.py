import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.fiscal import fiscal_year, fiscal_year_bounds, format_fiscal_year
from policies.models import Channel, Department, ExampleInitiative, Policy

from .models import Initiative


def _departments():
    return Department.objects.select_related("parent").order_by("order", "code")


def _fiscal_years():
    current = fiscal_year(timezone.localdate())
    return [(y, format_fiscal_year(y)) for y in range(current, current - 8, -1)]


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="キーワード", method="filter_keyword")
    status = django_filters.ChoiceFilter(
        label="状態", choices=Initiative.Status.choices, empty_label="すべて"
    )
    policy = django_filters.ModelChoiceFilter(
        label="基本方針",
        queryset=Policy.objects.filter(edition__adopted_on__isnull=False)
        .select_related("edition")
        .order_by("-edition__adopted_on", "number"),
        empty_label="すべて",
    )
    example = django_filters.ModelChoiceFilter(
        label="取組例",
        field_name="examples",
        queryset=ExampleInitiative.objects.filter(policy__edition__adopted_on__isnull=False)
        .select_related("policy")
        .order_by("-policy__edition__adopted_on", "policy__number", "number"),
        empty_label="すべて",
    )
    channel = django_filters.ModelChoiceFilter(
        label="抽出経路", queryset=Channel.objects.all(), empty_label="すべて"
    )
    department = django_filters.ModelChoiceFilter(
        label="提案部署",
        queryset=_departments(),
        empty_label="すべて",
        method="filter_department",
        help_text="共同提案部署として名を連ねる取組も含みます。",
    )
    affected = django_filters.ModelChoiceFilter(
        label="影響する部署",
        field_name="affected_departments",
        queryset=_departments(),
        empty_label="すべて",
    )
    fiscal_year = django_filters.ChoiceFilter(
        label="提出年度", choices=_fiscal_years, method="filter_fiscal_year", empty_label="すべて"
    )
    sort = django_filters.OrderingFilter(
        label="並び順",
        fields=(("updated_at", "updated"), ("submitted_at", "submitted"), ("title", "title")),
        field_labels={
            "updated_at": "更新日時（古い順）",
            "-updated_at": "更新日時（新しい順）",
            "submitted_at": "提出日時（古い順）",
            "-submitted_at": "提出日時（新しい順）",
            "title": "取組名（昇順）",
            "-title": "取組名（降順）",
        },
        empty_label="更新日時（新しい順）",
    )

    class Meta:
        model = Initiative
        fields = []

    def filter_keyword(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(current_issues__icontains=word)
                | Q(content__icontains=word)
            )
        return queryset

    def filter_department(self, queryset, name, value):
        # A consolidated idea belongs to each department that proposed it.
        return queryset.filter(Q(department=value) | Q(co_departments=value)).distinct()

    def filter_fiscal_year(self, queryset, name, value):
        start, end = fiscal_year_bounds(int(value))
        tz = timezone.get_current_timezone()
        lower = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        upper = datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return queryset.filter(submitted_at__gte=lower, submitted_at__lt=upper)
