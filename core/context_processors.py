from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    """The signed-in user's unread count for the header, counted only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user).unread().count()
        )
    }
