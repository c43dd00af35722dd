"""The user's notifications: the list, opening one (it is then read), reading them all."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from .models import Notification

PAGE_SIZE = 30


@require_safe
@login_required
def notification_list(request):
    mine = Notification.objects.filter(recipient=request.user)
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": page.object_list, "unread": mine.unread().count()},
    )


def notification_for_user(request, pk) -> Notification:
    """One of the user's own notifications (anyone else's is not found)."""
    notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise Http404("お知らせが見つかりません。")
    return notification


@require_safe
@login_required
def notification_open(request, pk):
    notification = notification_for_user(request, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
    return redirect(notification.url if notification.url and safe else "notifications:list")


@require_POST
@login_required
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user).unread().update(read_at=timezone.now())
    return redirect("notifications:list")
