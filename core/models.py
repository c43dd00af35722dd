"""Shared model bases. The ground floor knows no domain: what a file or an event belongs to is
said by the apps above."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class StoredFile(models.Model):
    """What every uploaded file keeps beside its generated name (see uploads.stored_uploads).
    Subclasses add `file` (with their own upload path under `folder`) and what it belongs to."""

    folder = ""  # the storage folder the subclass's upload path writes under

    original_name = models.CharField("元のファイル名", max_length=255)
    content_type = models.CharField("種類", max_length=100)
    size = models.PositiveBigIntegerField("サイズ（バイト）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者"
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        """Events about one object, oldest first (one query; the content type is cached)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("created_at", "pk")

    def for_objects(self, model, ids):
        return self.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)

    def of(self, *actions):
        return self.filter(action__in=actions)


class AuditEvent(models.Model):
    """One change made in the portal: who did what to which record, what it was and became.

    Append-only. Written by the service that makes the change, in the same transaction, through
    `core.audit.record`; the audit export, the timelines and the change history read it. The
    object is referenced by content type and id, so that the log outlives what it describes,
    and the actor's name is kept as text for when an account is deleted.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="実行者",
    )
    actor_name = models.CharField("実行者名", max_length=150)
    action = models.CharField("操作", max_length=60)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="対象の種類",
    )
    object_id = models.PositiveBigIntegerField("対象ID", null=True, blank=True)
    object_repr = models.CharField("対象", max_length=200, blank=True)
    before = models.JSONField("変更前", default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("変更後", default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Records the change points to (the meeting of a decision, the plan of a placement...).
    context = models.JSONField("関連", default=dict, blank=True, encoder=DjangoJSONEncoder)
    comment = models.TextField("コメント", blank=True)
    # Not auto_now_add: the migration that gathered the older trails keeps their times.
    created_at = models.DateTimeField("日時", default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "監査記録"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="audit_object_time"
            ),
            models.Index(fields=["created_at"], name="audit_time"),
        ]

    def __str__(self):
        return f"{self.action_label}: {self.object_repr}"

    @property
    def action_label(self):
        from .audit import action_label

        return action_label(self.action)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What the portal told a user, in the portal as in their mail: every mail sent is one of
    these too, so that nobody depends on mail to find what waits for them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="宛先",
    )
    subject = models.CharField("件名", max_length=200)
    body = models.TextField("本文", blank=True)
    url = models.CharField("開くページ", max_length=300, blank=True)
    created_at = models.DateTimeField("日時", default=timezone.now)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notifications:open", args=[self.pk])
