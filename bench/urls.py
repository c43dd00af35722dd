"""The portal's URLs, with the initiatives registered in its admin for the benchmark only.

The changelist shows the portal list's columns and offers its filters (状態, 基本方針, keyword),
as a city would configure it: related rows joined, the newest changes first.
"""

from django.contrib import admin

from initiatives.models import Initiative


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "policy",
        "channel",
        "department",
        "proposer",
        "submitted_at",
        "updated_at",
    ]
    list_filter = ["status", "policy"]
    search_fields = ["title", "current_issues", "content"]
    list_select_related = ["policy", "channel", "department__parent", "proposer"]
    list_per_page = 25


from yachiyo_dx.urls import *  # noqa: E402, F403  (after the registration: admin.site.urls reads it)
