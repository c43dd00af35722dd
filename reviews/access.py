"""Who may see and change the review's records. Views fetch through these helpers: 404 for
what the user may not see, 403 for what the user may see but not change. Every signed-in
member of staff may read meetings; the secretariat keeps their records."""

from django.http import Http404

from accounts.permissions import require_secretariat

from .models import AgendaItem, Meeting, MeetingAttachment


def meeting_for_user(request, pk, *, write=False) -> Meeting:
    """A meeting the user may see (else 404); write=True: the secretariat's (else 403)."""
    meeting = Meeting.objects.visible_to(request.user).select_related("body").filter(pk=pk).first()
    if meeting is None:
        raise Http404("会議が見つかりません。")
    if write:
        require_secretariat(request.user, "この操作を行う権限がありません。")
    return meeting


def agenda_item_for_user(request, pk, item_pk) -> AgendaItem:
    """An agenda item of a meeting the user may see (else 404)."""
    meeting = meeting_for_user(request, pk)
    item = AgendaItem.objects.filter(pk=item_pk, meeting=meeting).first()
    if item is None:
        raise Http404("この会議の議題が見つかりません。")
    item.meeting = meeting
    return item


def meeting_attachment_for_user(request, pk, attachment_pk) -> MeetingAttachment:
    meeting = meeting_for_user(request, pk)
    attachment = MeetingAttachment.objects.filter(pk=attachment_pk, meeting=meeting).first()
    if attachment is None:
        raise Http404("会議資料が見つかりません。")
    return attachment


def may_record_for(user, body) -> bool:
    """The secretariat records for every body; a member, for the body they sit on."""
    return user.is_authenticated and (user.is_secretariat or user.sits_on(body))


def require_reviewer(request):
    """The review pages are the secretariat's (403 for others)."""
    require_secretariat(request.user, "この操作を行う権限がありません。")
