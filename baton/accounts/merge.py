"""Merging two accounts or two contacts into one, and undoing it.

The person picks, field by field, whether the kept record keeps its value or takes the other's.
Every row of every model that points at the merged record with a foreign key (contacts,
opportunities, activities, leads converted to it, delivery projects, follows, …) is moved to the kept
one. The relations are found through ``_meta`` when the merge runs, so a relation added by a later app
is moved without touching this module. The merged record is archived, not deleted; a ``Merge`` row
stores what moved, so ``undo_merge`` can move it back and restore both records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account, Contact, Merge
from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, check_version, update_record

MergeableRecord = Account | Contact

KINDS: dict[type[models.Model], str] = {Account: Merge.Kind.ACCOUNT, Contact: Merge.Kind.CONTACT}
MODELS = {kind: model for model, kind in KINDS.items()}
# Bookkeeping columns a person does not choose between.
NOT_CHOSEN = {"team", "is_archived"}


def choosable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields shown side by side on the merge page: the record's own, then its owner."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in NOT_CHOSEN
    ]
    return sorted(fields, key=lambda f: f.name == "owner")


def incoming_links(model: type[models.Model]) -> list[models.ForeignKey]:
    """Every foreign key (and one-to-one) of any installed model that points at ``model``."""
    links = []
    for related in apps.get_models(include_auto_created=True):
        for field in related._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is model:
                links.append(field)
    return links


def _label(field: models.ForeignKey) -> str:
    return f"{field.model._meta.label}.{field.attname}"


def _field_from_label(label: str) -> tuple[type[models.Model], str]:
    model_label, attname = label.rsplit(".", 1)
    return apps.get_model(model_label), attname


def _unique_sets(field: models.ForeignKey) -> list[list[str]]:
    """Column sets that must stay unique and include ``field`` (moving a row may collide with them)."""
    meta = field.model._meta
    sets: list[list[str]] = []
    if field.unique:
        sets.append([field.name])
    for together in meta.unique_together:
        if field.name in together:
            sets.append(list(together))
    for constraint in meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint) and field.name in fields:
            sets.append(list(fields))
    return sets


def _attnames(model: type[models.Model], names: Iterable[str]) -> list[str]:
    return [model._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]


def _move_rows(field: models.ForeignKey, source_pk: int, target_pk: int) -> tuple[list[int], list[int]]:
    """Point ``field`` of the source's rows at the target; rows whose twin the target already has
    (a unique constraint) stay. Returns (moved ids, kept ids)."""
    manager = field.model._base_manager
    rows = manager.filter(**{field.attname: source_pk})
    if field.model is field.related_model:
        rows = rows.exclude(pk=target_pk)  # the kept account's own parent link is decided separately
    kept: set[int] = set()
    for unique in _unique_sets(field):
        others = _attnames(field.model, [n for n in unique if n != field.name])
        if not others:
            if manager.filter(**{field.attname: target_pk}).exists():
                kept.update(rows.values_list("pk", flat=True))
            continue
        taken = set(manager.filter(**{field.attname: target_pk}).values_list(*others))
        for pk, *values in rows.values_list("pk", *others):
            if tuple(values) in taken:
                kept.add(pk)
    ids = [pk for pk in rows.values_list("pk", flat=True) if pk not in kept]
    if ids:
        manager.filter(pk__in=ids).update(**{field.attname: target_pk})
    return ids, sorted(kept)


def _require_edit(actor: User, *records: models.Model) -> None:
    for record in records:
        if not can_edit(actor, record):  # type: ignore[arg-type]
            raise PermissionDenied(_("You can merge only records you may edit."))


def _active_merge_away(kind: str, pk: int) -> bool:
    return Merge.objects.filter(kind=kind, source_id=pk, undone_at__isnull=True).exists()


@transaction.atomic
def merge_records(
    target: MergeableRecord,
    source: MergeableRecord,
    *,
    actor: User,
    take_from_source: Iterable[str] = (),
    target_version: int | None = None,
    source_version: int | None = None,
) -> Merge:
    """Merge ``source`` into ``target``: ``take_from_source`` names the columns (attnames such as
    ``phone`` or ``owner_id``) whose value the kept record takes from the merged one."""
    model = type(target)
    if model not in KINDS or type(source) is not model:
        raise ValidationError({"source_id": [_("Merge two accounts or two contacts.")]})
    if target.pk == source.pk:
        raise ValidationError({"source_id": [_("A record cannot be merged with itself.")]})
    kind = KINDS[model]
    # Lock both rows in id order so two merges of the same pair cannot interleave.
    locked = {r.pk: r for r in model._base_manager.select_for_update().filter(pk__in=[target.pk, source.pk])}
    target, source = locked[target.pk], locked[source.pk]
    _require_edit(actor, target, source)
    check_version(target, target_version)
    check_version(source, source_version)
    if _active_merge_away(kind, source.pk) or _active_merge_away(kind, target.pk):
        raise ServiceError(_("One of these records was merged into another already; undo that merge first."))

    allowed = {f.attname: f for f in choosable_fields(model)}
    wanted = list(dict.fromkeys(take_from_source))
    unknown = [name for name in wanted if name not in allowed]
    if unknown:
        raise ValidationError(
            {"take_from_source": [_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    changes: dict[str, Any] = {name: getattr(source, name) for name in wanted}

    moved: dict[str, list[int]] = {}
    kept: dict[str, list[int]] = {}
    for field in incoming_links(model):
        ids, stay = _move_rows(field, source.pk, target.pk)
        if ids:
            moved[_label(field)] = ids
        if stay:
            kept[_label(field)] = stay
    if isinstance(target, Account):
        # The kept account cannot end up its own parent, nor the child of the archived one.
        parent_id = changes.get("parent_id", target.parent_id)
        if parent_id in (target.pk, source.pk):
            changes["parent_id"] = None

    before = snapshot(target, changes)
    target = update_record(
        target,
        actor=actor,
        changes=changes,
        action=ChangeLog.Action.MERGE,
        note=_("Merged #%(id)s into this record.") % {"id": source.pk},
        validate=False,  # values come from two stored records; an old invalid one must not block
    )
    after = snapshot(target, changes)
    merge = Merge.objects.create(
        kind=kind,
        target_id=target.pk,
        source_id=source.pk,
        target_before=before,
        target_after=after,
        source_was_archived=source.is_archived,
        moved=moved,
        kept=kept,
        actor=actor,
    )
    # The Merge row holds the details; these rows say in the records' histories what happened.
    count = sum(len(ids) for ids in moved.values())
    log_change(
        actor=actor,
        action=ChangeLog.Action.MERGE,
        instance=target,
        note=_("Merge %(merge)s: #%(source)s merged into this record; %(count)s linked records moved.")
        % {"merge": merge.pk, "source": source.pk, "count": count},
    )
    update_record(
        source,
        actor=actor,
        changes={"is_archived": True},
        action=ChangeLog.Action.MERGE,
        note=_("Merged into #%(id)s.") % {"id": target.pk},
        validate=False,
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.MERGE,
        instance=source,
        note=_("Merge %(merge)s: merged into #%(target)s.") % {"merge": merge.pk, "target": target.pk},
    )
    return merge


@transaction.atomic
def undo_merge(merge: Merge, *, actor: User) -> Merge:
    """Move the moved rows back (those still on the kept record), restore the kept record's fields
    that still hold the merged values, and bring the merged record back as it was."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ServiceError(_("This merge was undone already."))
    model = MODELS[merge.kind]
    locked = {
        r.pk: r
        for r in model._base_manager.select_for_update().filter(pk__in=[merge.target_id, merge.source_id])
    }
    if len(locked) != 2:
        raise ServiceError(_("One of the merged records no longer exists; the merge cannot be undone."))
    target, source = locked[merge.target_id], locked[merge.source_id]
    _require_edit(actor, target, source)

    returned: dict[str, int] = {}
    for label, ids in merge.moved.items():
        related, attname = _field_from_label(label)
        returned[label] = related._base_manager.filter(pk__in=ids, **{attname: target.pk}).update(
            **{attname: source.pk}
        )
    current = snapshot(target, merge.target_after)
    # A field edited since the merge keeps its newer value.
    restore = {
        name: merge.target_before[name]
        for name, value in merge.target_after.items()
        if current.get(name) == value and name in merge.target_before
    }
    update_record(
        target,
        actor=actor,
        changes=restore,
        action=ChangeLog.Action.UNMERGE,
        note=_("Undid the merge of #%(id)s.") % {"id": source.pk},
        validate=False,
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.UNMERGE,
        instance=target,
        note=_("Merge %(merge)s undone: %(count)s linked records moved back to #%(source)s.")
        % {"merge": merge.pk, "count": sum(returned.values()), "source": source.pk},
    )
    update_record(
        source,
        actor=actor,
        changes={"is_archived": merge.source_was_archived},
        action=ChangeLog.Action.UNMERGE,
        note=_("Restored from the merge into #%(id)s.") % {"id": target.pk},
        validate=False,
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.UNMERGE,
        instance=source,
        note=_("Merge %(merge)s undone: restored from #%(target)s.")
        % {"merge": merge.pk, "target": target.pk},
    )
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge
