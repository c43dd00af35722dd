"""Progress notes of department-led items (所管課推進): one transaction each, audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import audit
from initiatives import services as initiative_services
from initiatives.models import Initiative
from policies.names import city

from .. import follow_up
from ..models import ProgressNote
from .placement import PlanError

S = Initiative.Status
NOTE_FIELDS = ("recorded_on", "observed", "acted", "progress_percent", "next_step", "next_due")

audit.register({"note.recorded": "進捗の記録（所管課推進）"})


def _check(values, today):
    recorded_on, next_due = values["recorded_on"], values["next_due"]
    progress = values["progress_percent"]
    if recorded_on > today:
        raise PlanError("記録日に未来の日付は入力できません。")
    if not next_due > recorded_on:
        raise PlanError("次回の記録予定日は記録日より後の日付にしてください。")
    if next_due > follow_up.max_next_due(recorded_on):
        raise PlanError(follow_up.too_far_message())
    if progress is None or not 0 <= progress <= 100:
        raise PlanError("進捗率は0から100までの整数で入力してください。")
    if not values["observed"].strip() or not values["acted"].strip():
        raise PlanError("状況と気づき、決めたこと・実行したことを入力してください。")


@transaction.atomic
def record_note(initiative, *, actor, values):
    """Add one note; the item's first note also starts it (所管課推進 → 推進中)."""
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if not follow_up.can_write_note(actor, locked):
        raise PermissionDenied(f"進捗の記録は、取組の提案者と所属の{city().promoter}が書きます。")
    if not follow_up.is_department_led(locked):
        raise PlanError(
            f"「{locked.get_status_display()}」の取組には進捗を記録できません"
            "（実施計画に位置付けた取組は進捗報告で報告します）。"
        )
    _check(values, timezone.localdate())
    note = ProgressNote.objects.create(
        initiative=locked, author=actor, **{name: values[name] for name in NOTE_FIELDS}
    )
    audit.record(
        actor=actor,
        action="note.recorded",
        obj=note,
        after=audit.snapshot(note, NOTE_FIELDS),
        context={"initiative": locked.pk},
    )
    if locked.status == S.DEPARTMENT_LED:
        initiative_services.transition(
            locked, to=S.IN_PROGRESS, actor=actor, comment="最初の進捗の記録により推進を開始"
        )
    return note
