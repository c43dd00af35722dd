from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property

from policies.models import Body, Department

from . import roles


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def secretariat(self):
        """Active members of the secretariat (see User.is_secretariat)."""
        return self.active().filter(in_secretariat=True)

    def promoters_of(self, department_ids):
        """Active promoters of the given departments."""
        return self.active().filter(dx_promoter=True, department_id__in=department_ids)

    def members_of(self, body):
        return self.active().filter(bodies=body)

    def staff(self):
        """Accounts of the city's own staff (with a 所属), not external members."""
        return self.filter(department__isnull=False)


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user...) with the queries above."""


class User(AbstractUser):
    """A portal account: a member of the city's staff, who belongs to a 所属, or an external
    member of a body (no 所属). What else it may do is data: the promoter flag, membership of
    the secretariat and of the bodies."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属",
        help_text="外部の委員は空欄にします。",
    )
    dx_promoter = models.BooleanField(
        "所属の推進役",
        default=False,
        help_text="所属の課題から取組項目（案）を抽出し、所属の提案を受け持ちます。",
    )
    in_secretariat = models.BooleanField(
        "事務局", default=False, help_text="取りまとめ・審査・会議の記録・進捗の確認を行います。"
    )
    bodies = models.ManyToManyField(
        Body, blank=True, related_name="members", verbose_name="会議体の委員"
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
        """The user's functions (accounts.roles) and the bodies they sit on (`body:<code>`);
        one query per request, then cached."""
        if not self.is_active:
            return frozenset()
        names = set()
        if self.department_id:
            names.add(roles.STAFF)
            if self.dx_promoter:
                names.add(roles.PROMOTER)
        if self.in_secretariat:
            names.add(roles.SECRETARIAT)
        for kind, code in self.bodies.values_list("kind", "code"):
            names |= {kind, roles.body_role(code)}
        return frozenset(names)

    def has_role(self, *names: str) -> bool:
        return self.is_active and bool(self.role_names.intersection(names))

    @property
    def is_external(self) -> bool:
        """An external member of a body: not of the city's staff, no 所属."""
        return self.department_id is None

    @property
    def is_secretariat(self) -> bool:
        """Works for the secretariat (事務局) of the DX policy: reviews, consolidates, keeps the
        meetings' records, places decided items in the plan and runs the follow-up."""
        return self.is_active and self.in_secretariat

    @property
    def is_council_member(self) -> bool:
        """Sits on the body whose opinions are recorded per agenda item."""
        return self.has_role(roles.COUNCIL)

    @property
    def is_hq_member(self) -> bool:
        """Sits on the body that decides."""
        return self.has_role(roles.HEADQUARTERS)

    @property
    def is_dx_promoter(self) -> bool:
        return self.has_role(roles.PROMOTER)

    def sits_on(self, body) -> bool:
        return self.has_role(roles.body_role(body.code))

    @property
    def may_record_opinions(self) -> bool:
        return self.is_secretariat or self.is_council_member

    @property
    def may_record_decisions(self) -> bool:
        return self.is_secretariat or self.is_hq_member

    @property
    def can_view_dashboard(self) -> bool:
        return self.is_secretariat or self.is_hq_member
