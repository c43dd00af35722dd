from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property

from policies.models import Department

from . import roles


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_role(self, name):
        return self.filter(groups__name=name, is_active=True)

    def secretariat(self):
        """Active members of the secretariat (see User.is_secretariat)."""
        return self.with_role(roles.INFO_POLICY)

    def promoters_of(self, department_ids):
        """Active DX推進員 of the given departments."""
        return self.with_role(roles.DX_PROMOTER).filter(department_id__in=department_ids)


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user...) with the queries above."""


class User(AbstractUser):
    """A portal account. Every account belongs to a 所属."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name="所属"
    )

    REQUIRED_FIELDS = ["email", "department"]

    objects = AccountManager()

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = "ユーザー"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        name = f"{self.last_name} {self.first_name}".strip()
        return name or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's roles (group names); one query per request, then cached."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *names: str) -> bool:
        return self.is_active and bool(self.role_names.intersection(names))

    @property
    def is_secretariat(self) -> bool:
        """Works for the secretariat (事務局) of the DX policy: reviews, consolidates, keeps the
        meetings' records, places decided items in the plan and runs the follow-up."""
        return self.has_role(roles.INFO_POLICY)

    @property
    def is_council_member(self) -> bool:
        """Sits on the advisory council, whose opinions are recorded per agenda item."""
        return self.has_role(roles.COUNCIL)

    @property
    def is_hq_member(self) -> bool:
        """Sits on the headquarters, which decides."""
        return self.has_role(roles.HEADQUARTERS)

    @property
    def is_dx_promoter(self) -> bool:
        return self.has_role(roles.DX_PROMOTER)

    @property
    def may_record_opinions(self) -> bool:
        return self.is_secretariat or self.is_council_member

    @property
    def may_record_decisions(self) -> bool:
        return self.is_secretariat or self.is_hq_member

    @property
    def can_view_dashboard(self) -> bool:
        return self.is_secretariat or self.is_hq_member
