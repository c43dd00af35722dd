"""Progress notes of department-led items: the form that adds one."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.permissions import staff_required
from core.forms import error_summary
from initiatives import access as initiative_access
from policies.names import city

from .. import follow_up, services
from ..forms import ProgressNoteForm

# The next note is proposed a quarter ahead; the department may choose another date.
DEFAULT_INTERVAL = datetime.timedelta(days=90)


def _initial(initiative):
    today = timezone.localdate()
    last = initiative.progress_notes.order_by("-recorded_on", "-pk").first()
    next_due = min(today + DEFAULT_INTERVAL, follow_up.max_next_due(today))
    return {
        "recorded_on": today,
        "next_due": next_due,
        "progress_percent": last.progress_percent if last else 0,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def note_add(request, pk):
    initiative = initiative_access.initiative_for_user(request, pk)
    if not follow_up.can_write_note(request.user, initiative):
        raise PermissionDenied(f"進捗の記録は、取組の提案者と所属の{city().promoter}が書きます。")
    if not follow_up.is_department_led(initiative):
        raise PermissionDenied("この取組には進捗を記録できません（所管課推進の取組だけです）。")
    form = ProgressNoteForm(request.POST or None, initial=_initial(initiative))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.NOTE_FIELDS}
        try:
            services.record_note(initiative, actor=request.user, values=values)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "進捗を記録しました。")
            return redirect(f"{initiative.get_absolute_url()}#progress-notes")
    return render(
        request,
        "plans/note_form.html",
        {
            "initiative": initiative,
            "form": form,
            "errors": error_summary(form) if form.is_bound else [],
        },
    )
