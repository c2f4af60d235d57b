"""The base of every owned CRM record, and the one place that decides who may see and edit it.

Rule: a user sees and edits records they own, records owned by their team, and records of the teams
they manage (and those teams' sub-teams); administrators see everything. Views and the API fetch
user-chosen records only through ``visible_to`` / ``get_for_user``, so an outsider gets a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from baton.core.models import User

M = TypeVar("M", bound=models.Model)


def visible_team_ids(user: User) -> frozenset[int]:
    """The user's own team, every team they manage, and all sub-teams of those. Cached per user object."""
    cached = getattr(user, "_baton_team_ids", None)
    if cached is not None:
        return cached
    from baton.core.models import Team

    parents: dict[int, int | None] = {}
    managed: list[int] = []
    for tid, parent_id, manager_id in Team.objects.values_list("id", "parent_id", "manager_id"):
        parents[tid] = parent_id
        if manager_id == user.pk:
            managed.append(tid)
    result = set(managed)
    if user.team_id:
        result.add(user.team_id)
    # Walk down: a team is visible when any ancestor is managed by the user.
    managed_set = set(managed)
    for tid in parents:
        seen: set[int] = set()
        node: int | None = tid
        while node is not None and node not in seen:
            if node in managed_set:
                result.add(tid)
                break
            seen.add(node)
            node = parents.get(node)
    frozen = frozenset(result)
    user._baton_team_ids = frozen  # type: ignore[attr-defined]
    return frozen


class OwnedQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> OwnedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        return self.filter(Q(owner_id=user.pk) | Q(team_id__in=visible_team_ids(user)))


def can_edit(user: User, record: OwnedRecord) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin or record.owner_id == user.pk:
        return True
    return record.team_id is not None and record.team_id in visible_team_ids(user)


def get_for_user(queryset: models.QuerySet[M], user: User | Any, pk: Any) -> M:
    """Fetch one record the user may see, or raise Http404 (never reveal that it exists)."""
    model_qs = queryset
    if hasattr(model_qs, "visible_to"):
        model_qs = model_qs.visible_to(user)
    try:
        return model_qs.get(pk=int(pk))
    except (ValueError, TypeError, ObjectDoesNotExist):
        raise Http404("Not found") from None


class OwnedRecord(models.Model):
    """Abstract base: an owner, the owner's team (denormalised for fast visibility filters), a version
    for optimistic concurrency, timestamps and custom fields."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    custom_field_data = models.JSONField(default=dict, blank=True, editable=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True
