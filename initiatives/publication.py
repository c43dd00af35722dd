"""The secretariat publishes an initiative to citizens: a flag and a plain-language summary.

What citizens then see of it is the public app's projection; this is the write.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import audit
from policies.names import city

from . import workflow
from .models import Initiative
from .services import TransitionError

S = Initiative.Status

audit.register({"initiative.publication": "公開の設定"})


class PublicationError(TransitionError):
    """Refused publication; the message is in Japanese."""


def publishable_labels() -> str:
    return "・".join(workflow.status_label(s) for s in workflow.PUBLISHABLE)


def publication_problems(initiative, *, is_public, summary) -> list[tuple[str, str]]:
    """Why an initiative cannot be published as asked: [(field, message)], none when it can."""
    if not is_public:
        return []
    problems = []
    if initiative.status not in workflow.PUBLISHABLE:
        problems.append(
            (
                "is_public",
                f"「{initiative.get_status_display()}」の取組項目は公開できません"
                f"（公開できるのは{publishable_labels()}のものだけです）。",
            )
        )
    if not (summary or "").strip():
        problems.append(("public_summary", "市民に公開するには、公開用の概要を入力してください。"))
    return problems


@transaction.atomic
def set_publication(initiative, *, actor, is_public, summary, title=None, expected_version=None):
    """Mark an initiative public (or not) with its plain-language summary; the secretariat only.

    `expected_version` is the version the form was opened at: if the initiative changed since,
    nothing is written.
    """
    if not actor.is_authenticated or not actor.is_secretariat:
        raise PermissionDenied(f"公開の設定は{city().secretariat}だけが行えます。")
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if expected_version is not None and locked.version != expected_version:
        raise PublicationError(
            "この取組項目は、開いた後に他の人が更新しています。画面を更新して確認してください。"
        )
    summary = (summary or "").strip()
    problems = publication_problems(locked, is_public=is_public, summary=summary)
    if problems:
        raise PublicationError(problems[0][1])
    fields = ["is_public", "public_title", "public_summary"]
    before = audit.snapshot(locked, fields)
    locked.is_public = bool(is_public)
    locked.public_summary = summary
    if title is not None:
        locked.public_title = title.strip()
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=[*fields, "version", "updated_at"])
    audit.record(
        actor=actor,
        action="initiative.publication",
        obj=locked,
        before=before,
        after=audit.snapshot(locked, fields),
    )
    initiative.is_public, initiative.public_summary = locked.is_public, locked.public_summary
    initiative.version = locked.version
    return locked
