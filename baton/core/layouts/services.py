"""Every write to page layouts: checked, versioned (optimistic check) and audited.

A layout that leaves off a field a person must fill in (a required built-in field, a custom field
required always or from a stage on) is refused with a message naming the fields: otherwise the form
could never be saved, or the board would refuse a move for a field the person cannot see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.layouts.models import PageLayout
from baton.core.layouts.registry import catalogue, layout_kind
from baton.core.layouts.resolve import layouts_changed
from baton.core.models import ChangeLog, Role, User
from baton.core.services import ConflictError

MAX_SECTIONS = 10
TITLE_LENGTH = 100


def _announce() -> None:
    # Now for this process, and again after the commit so no process keeps what it read in between.
    layouts_changed()
    transaction.on_commit(layouts_changed)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators edit page layouts."))


def clean_sections(kind: str, raw: Any) -> list[dict[str, Any]]:
    """``raw`` sections checked against the fields ``kind`` offers, in the stored shape."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"sections": [_("A layout needs at least one section.")]})
    if len(raw) > MAX_SECTIONS:
        raise ValidationError({"sections": [_("A layout has at most 10 sections.")]})
    offered = {f.name: f for f in catalogue(kind)}
    seen: set[str] = set()
    unknown: list[str] = []
    twice: list[str] = []
    sections = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("fields", []), list):
            raise ValidationError({"sections": [_("Each section needs titles and a list of fields.")]})
        title_ko = str(item.get("title_ko") or "").strip()
        title_en = str(item.get("title_en") or "").strip()
        if len(title_ko) > TITLE_LENGTH or len(title_en) > TITLE_LENGTH:
            raise ValidationError({"sections": [_("A section title has at most 100 characters.")]})
        fields = []
        for entry in item.get("fields") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or name not in offered:
                unknown.append(str(name))
                continue
            if name in seen:
                twice.append(name)
                continue
            seen.add(name)
            fields.append(
                {"name": name, "readonly": bool(entry.get("readonly")), "compact": bool(entry.get("compact"))}
            )
        sections.append({"title_ko": title_ko, "title_en": title_en, "fields": fields})
    errors = []
    if unknown:
        errors.append(_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})
    if twice:
        errors.append(_("A field may appear once: %(names)s.") % {"names": ", ".join(twice)})
    if not seen:
        errors.append(_("Place at least one field."))
    left_out = [
        capfirst(f.label) for f in offered.values() if f.on_form and f.required and f.name not in seen
    ]
    if left_out:
        errors.append(
            _("These fields must be filled in and cannot be left off the layout: %(names)s.")
            % {"names": ", ".join(left_out)}
        )
    if errors:
        raise ValidationError({"sections": errors})
    return sections


def _check_target(kind: str, role: str) -> None:
    if layout_kind(kind) is None:
        raise ValidationError({"object": [_("This record type has no page layouts.")]})
    if role and role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})


@transaction.atomic
def save_layout(
    *,
    actor: User | None,
    object: str,
    role: str,
    sections: Any,
    expected_version: int | None = None,
) -> PageLayout:
    """Create or replace the layout of ``object`` for ``role`` ("" for every role without its own).
    ``expected_version``: the version the editor loaded (a newer one raises ConflictError); 0 or None
    when the editor started from no layout."""
    _require_admin(actor)
    _check_target(object, role)
    cleaned = clean_sections(object, sections)
    layout = PageLayout.objects.select_for_update().filter(object=object, role=role).first()
    if layout is None:
        if expected_version:
            raise ConflictError(PageLayout(object=object, role=role), None)
        layout = PageLayout.objects.create(object=object, role=role, sections=cleaned, updated_by=actor)
        log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=layout, after=snapshot(layout))
    else:
        if expected_version is not None and layout.version != expected_version:
            raise ConflictError(layout, layout.version)
        before = snapshot(layout, ["sections"])
        layout.sections = cleaned
        layout.version += 1
        layout.updated_by = actor
        layout.save(update_fields=["sections", "version", "updated_by", "updated_at"])
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=layout,
            before=before,
            after=snapshot(layout, ["sections"]),
            note=f"version {layout.version}",
        )
    _announce()
    return layout


@transaction.atomic
def reset_layout(layout: PageLayout, *, actor: User | None, expected_version: int | None = None) -> None:
    """Remove a layout: the role gets the layout for every role, or else today's page again. The
    audit row keeps the removed sections."""
    _require_admin(actor)
    locked = PageLayout.objects.select_for_update().filter(pk=layout.pk).first()
    if locked is None:
        return
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(locked, locked.version)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=locked, before=snapshot(locked))
    locked.delete()
    _announce()
