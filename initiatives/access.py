"""Who may see and change an initiative. Views fetch through these helpers: 404 for what the
user may not see, 403 for what the user may see but not change."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import roles

from . import workflow
from .models import Attachment, Initiative


def can_view(user, initiative) -> bool:
    """Staff see what has been submitted, and their own drafts; external members read what
    their body deliberates on the meeting's page, not here."""
    if not user.is_authenticated or not user.is_active or user.is_external:
        return False
    if initiative.is_shared or user.is_secretariat:
        return True
    return workflow.is_actor(user, initiative, workflow.OWNERS)


def can_edit(user, initiative) -> bool:
    return initiative.status in workflow.EDITABLE and workflow.is_actor(
        user, initiative, workflow.OWNERS
    )


def initiative_for_user(request, pk, *, write=False) -> Initiative:
    """The initiative, if the user may see it (else 404); with write=True, also change it
    (else 403)."""
    initiative = (
        Initiative.objects.select_related(
            "edition",
            "channel",
            "department",
            "department__parent",
            "proposer",
            "policy",
            "consolidated_into",
        )
        .filter(pk=pk)
        .first()
    )
    if initiative is None or not can_view(request.user, initiative):
        raise Http404("取組項目が見つかりません。")
    if write and not can_edit(request.user, initiative):
        raise PermissionDenied("この取組項目を編集する権限がないか、編集できない状態です。")
    return initiative


def attachment_for_user(request, pk, attachment_pk, *, write=False) -> Attachment:
    """An attachment of an initiative the user may see (else 404); with write=True, of one the
    user may edit (else 403)."""
    initiative = initiative_for_user(request, pk, write=write)
    attachment = Attachment.objects.filter(pk=attachment_pk, initiative=initiative).first()
    if attachment is None:
        raise Http404("添付ファイルが見つかりません。")
    attachment.initiative = initiative
    return attachment


def may_propose_on(user, channel) -> bool:
    """Members of staff propose for their 所属 (external members never do); on a channel of
    the secretariat or of a committee, only its members."""
    if not user.is_authenticated or not user.is_active or user.is_external:
        return False
    if channel.proposed_by == channel.ProposedBy.SECRETARIAT:
        return user.is_secretariat
    if channel.proposed_by == channel.ProposedBy.COMMITTEE:
        return user.has_role(roles.body_role(channel.committee.code))
    return True


def channels_for(user, channels):
    """The channels a user may propose on."""
    return [c for c in channels if may_propose_on(user, c)]
