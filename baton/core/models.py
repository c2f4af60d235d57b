"""Users, teams, roles, the change log and API tokens: what every other app stands on."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

# Custom field definitions are core models too (every record app validates against them).
from baton.core.customfields.models import CustomField as CustomField
from baton.core.customfields.models import SchemaRevision as SchemaRevision
from baton.core.customfields.models import ValidationRule as ValidationRule
from baton.core.layouts.models import PageLayout as PageLayout


class Role(models.TextChoices):
    """The cast of seed 000: every person who touches a customer has one primary role."""

    MARKETING = "marketing", _("Marketing")
    INSIDE_SALES = "inside_sales", _("Inside sales")
    FIELD_SALES = "field_sales", _("Field sales (AE)")
    SOLUTION_ARCHITECT = "solution_architect", _("Solution architect")
    SPECIALIST_SALES = "specialist_sales", _("Specialist sales")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    # A person at a partner organisation (reseller, SI, …): signs in to the partner portal only.
    PARTNER = "partner", _("Partner user")
    OPERATIONS = "operations", _("Operations")
    APPROVER = "approver", _("Approver")
    DELIVERY = "delivery", _("Delivery")
    CUSTOMER_SUCCESS = "customer_success", _("Customer success")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    ADMIN = "admin", _("Administrator")


class Team(models.Model):
    """A group of users with a manager; a team may sit inside a parent team."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = models.ForeignKey(
        "core.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in to Baton. The role decides what they work on; the team what they see."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.FIELD_SALES)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # An IANA zone name ("Asia/Seoul"); blank means the site's TIME_ZONE. Activated per request.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ChangeLog(models.Model):
    """One structured row per write: who did what to which record, with the before/after of the fields.

    Written explicitly by services (never by signals), also for imports, tasks and the shell.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        ARCHIVE = "archive", _("Archived")
        CONVERT = "convert", _("Converted")
        MOVE = "move", _("Stage changed")
        ASSIGN = "assign", _("Assigned")
        LOGIN = "login", _("Signed in")
        TOKEN = "token", _("API token")
        MERGE = "merge", _("Merged")
        UNMERGE = "unmerge", _("Merge undone")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    request_id = models.CharField(max_length=64, blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, blank=True, help_text="web, api, import, task, shell")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # The record a child row belongs to (a line item's or quote's opportunity), so the parent's history
    # shows its children's changes. Set by log_change from the model's ``audit_parent`` field name.
    parent_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="changelog_object_idx"),
            models.Index(
                fields=["parent_type", "parent_id", "-time"],
                name="changelog_parent_idx",
                condition=models.Q(parent_id__isnull=False),
            ),
            # "What did this person change?" (a user's activity, an incident review).
            models.Index(fields=["actor", "-time"], name="changelog_actor_idx"),
        ]
        verbose_name = _("change")
        verbose_name_plural = _("change log")

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        keys = sorted(set(self.before) | set(self.after))
        return [(k, self.before.get(k), self.after.get(k)) for k in keys]


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash is stored; the secret is shown once.

    A read-only token may only read (GET/HEAD/OPTIONS); past ``expires_at`` a token is refused.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Tokens made before scopes existed could write; they keep doing so.
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.WRITE)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class ShareAccess(models.TextChoices):
    READ = "read", _("Read")
    EDIT = "edit", _("Read and edit")


class RecordShare(models.Model):
    """One record (``record_type`` is its model label, e.g. "leads.lead") shared with a user or a team,
    to read or to edit, until ``expires_at`` (none: until revoked). Read by ``core.records`` as a
    subquery keyed by record type + user or team; an expired share stops counting at once."""

    record_type = models.CharField(max_length=64)
    record_id = models.BigIntegerField()
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    access = models.CharField(
        _("access"), max_length=8, choices=ShareAccess.choices, default=ShareAccess.READ
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["record_type", "user", "record_id"],
                name="share_user_idx",
                condition=models.Q(user__isnull=False),
            ),
            models.Index(
                fields=["record_type", "team", "record_id"],
                name="share_team_idx",
                condition=models.Q(team__isnull=False),
            ),
            models.Index(fields=["record_type", "record_id"], name="share_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, team__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False),
                name="share_user_xor_team",
            ),
        ]
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id} → {self.user or self.team} ({self.access})"


class SharingMode(models.TextChoices):
    PRIVATE = "private", _("Private: owner and the managers of their team chain")
    TEAM = "team", _("Team: owner, their team and its managers")
    READ_ALL = "read_all", _("Read all: every internal user reads, owners edit")


class SharingDefault(models.Model):
    """The organisation-wide default of one kind of record (absent: ``team``, the rule of old)."""

    record_type = models.CharField(max_length=64, unique=True)
    mode = models.CharField(_("default access"), max_length=10, choices=SharingMode.choices)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("sharing default")
        verbose_name_plural = _("sharing defaults")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.mode}"


class FieldProtection(models.Model):
    """One protected field: only administrators and the listed roles see or change it.

    Which fields may be protected is declared in code (``core.fieldaccess.register_protectable``);
    the rows are an admin's choice, written through ``security.field_protection`` with an audit row.
    """

    model_label = models.CharField(_("record type"), max_length=100)
    field_name = models.CharField(_("field"), max_length=100)
    roles = models.JSONField(_("roles that see it"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["model_label", "field_name"]
        verbose_name = _("field protection")
        verbose_name_plural = _("field protections")
        constraints = [
            models.UniqueConstraint(
                fields=["model_label", "field_name"], name="fieldprotection_unique_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_label}.{self.field_name}"
