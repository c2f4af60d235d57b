"""Field-level protection: the one module that decides whether a user sees (and may write) a field.

Apps declare which of their fields may be protected with ``register_protectable`` in their
``AppConfig.ready()`` (cost, discount, personal phone numbers, amounts; custom fields later through the
same call). An administrator then protects a field for chosen roles (a ``FieldProtection`` row): every
other user no longer sees it on pages, forms, lists, the API, exports, search snippets, history, reports,
mail merge and the quote. Administrators always see everything.

The rules are few and read on every page, so each process keeps them for up to ``CACHE_SECONDS``
(pages pay no query for them); ``rules_changed`` bumps a version in Django's cache, so with a shared
cache (Redis) every process reloads at once, and with the per-process default the other workers within
``CACHE_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from baton.core.models import FieldProtection
from baton.core.sharedcopy import SharedCopy

#: A model class, an instance, or its "app_label.modelname".
ModelRef = type[models.Model] | models.Model | str

#: What a hidden value reads as wherever its key is kept (history before/after, merge fields).
HIDDEN = gettext_lazy("(hidden)")


@dataclass(frozen=True)
class Protectable:
    """A field an admin may protect. ``also`` names derived values that reveal it (a margin reveals
    the cost) and disappear with it; ``covers`` the same value copied onto other models (a quote line
    keeps its line item's cost), hidden by the same rule: {"app_label.modelname": (names, ...)}."""

    model: str  # "app_label.modelname"
    field: str
    label: str | Promise
    model_label: str | Promise
    also: tuple[str, ...] = ()
    covers: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"

    def names(self) -> frozenset[str]:
        return frozenset({self.field, *self.also})


#: How long a process trusts its copy of the rules when no change was announced through the cache.
CACHE_SECONDS = 30
VERSION_KEY = "baton:fieldprotection:version"

_REGISTRY: dict[str, dict[str, Protectable]] = {}
#: Every model some protectable field touches (a quick "nothing to hide here").
_COVERED: set[str] = set()


def _label(model: ModelRef) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register_protectable(
    model: type[models.Model],
    field: str,
    *,
    label: str | Promise | None = None,
    also: Iterable[str] = (),
    covers: Mapping[type[models.Model] | str, Iterable[str]] | None = None,
) -> None:
    """Let admins protect ``model.field`` (called from the owning app's ``ready()``; registering the
    same field again replaces it). ``label`` defaults to the model field's verbose name."""
    if label is None:
        label = model._meta.get_field(field).verbose_name  # type: ignore[union-attr]
    entry = Protectable(
        _label(model),
        field,
        label or field,
        model._meta.verbose_name or model.__name__,
        tuple(also),
        tuple((_label(other), tuple(names)) for other, names in (covers or {}).items()),
    )
    _REGISTRY.setdefault(entry.model, {})[field] = entry
    _COVERED.add(entry.model)
    _COVERED.update(other for other, _names in entry.covers)


def protectables() -> list[Protectable]:
    """Every protectable field, by record type then field."""
    return [entry for model in sorted(_REGISTRY) for entry in _REGISTRY[model].values()]


def protectable(model: str, field: str) -> Protectable | None:
    return _REGISTRY.get(model.lower(), {}).get(field)


Rules = dict[tuple[str, str], frozenset[str]]


def _load_rules() -> Rules:
    return {
        (label, name): frozenset(roles or [])
        for label, name, roles in FieldProtection.objects.values_list("model_label", "field_name", "roles")
    }


_copy: SharedCopy[Rules] = SharedCopy(VERSION_KEY, CACHE_SECONDS, _load_rules)


def rules_changed() -> None:
    """Forget every cached copy of the rules (called by the service that edits them)."""
    _copy.changed()


def preload(rules: Rules) -> None:
    """Take ``rules`` as this process's current copy (the test suite starts every test with none)."""
    _copy.preload(rules)


def _rules() -> Rules:
    return _copy.get()


def _sees_all(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_admin


def hidden_fields(user: Any, model: ModelRef) -> frozenset[str]:
    """The names (fields, their id columns and derived keys) of ``model`` the user may not see."""
    if _sees_all(user):
        return frozenset()
    label = _label(model)
    if label not in _COVERED:
        return frozenset()
    role = getattr(user, "role", None)
    hidden: set[str] = set()
    for (rule_model, name), roles in _rules().items():
        entry = _REGISTRY.get(rule_model, {}).get(name)
        if entry is None or role in roles:
            continue
        if rule_model == label:
            hidden |= entry.names()
            hidden.add(f"{name}_id")
        for other, names in entry.covers:
            if other == label:
                hidden.update(names)
    return frozenset(hidden)


def can_see(user: Any, model: ModelRef, name: str) -> bool:
    return name not in hidden_fields(user, model)


def visible_names(user: Any, model: ModelRef, names: Iterable[str]) -> list[str]:
    """``names`` without the hidden ones, in order (detail rows, list columns, export columns)."""
    hidden = hidden_fields(user, model)
    return [n for n in names if n not in hidden]


def redact(user: Any, model: ModelRef, data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` without the keys the user may not see (API output, exports)."""
    hidden = hidden_fields(user, model)
    return {k: v for k, v in data.items() if k not in hidden}


def mask(user: Any, model: ModelRef, data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with the hidden values replaced by "(hidden)", keys kept (history, merge)."""
    hidden = hidden_fields(user, model)
    return {k: (str(HIDDEN) if k in hidden and v not in (None, "") else v) for k, v in data.items()}


def refusal_message(user: Any, model: ModelRef, name: str) -> str:
    return gettext("This field is protected: you may not set it.")


def refuse_hidden(user: Any, model: ModelRef, keys: Iterable[str]) -> None:
    """Refuse a write that sets a field the user may not see: a ValidationError naming each field
    (the API answers 422, a form shows it on the form). Nothing is written."""
    hidden = hidden_fields(user, model)
    refused = [k for k in keys if k in hidden]
    if refused:
        raise ValidationError({k: [refusal_message(user, model, k)] for k in refused})


# --- figures built from a protected value (dashboards, forecast, totals) -----------------------------


def derived_hidden(user: Any, model: ModelRef, name: str) -> bool:
    """Whether figures built from ``model.name`` must be withheld from the user: sums, averages,
    weighted values and ratios over it (forecast, quota attainment, pipeline totals, velocity), and
    the per-record values in drill-downs and their CSV. The rule is the field's own: whoever may not
    see the field may not see what is computed from it. Counts are not built from the value and stay."""
    return name in hidden_fields(user, model)


def conceal(user: Any, model: ModelRef, name: str, value: Any) -> Any:
    """``value``, or None when it is built from ``model.name`` and the user may not see that field
    (a dashboard cell, an API number: pages show nothing, the API answers null)."""
    return None if derived_hidden(user, model, name) else value


def conceal_on(user: Any, records: Iterable[models.Model], name: str) -> None:
    """Blank ``name`` on in-memory records the user may not see it on (lists shown on a dashboard;
    the records are display copies and must not be saved afterwards)."""
    for record in records:
        if derived_hidden(user, record, name):
            setattr(record, name, None)


# --- custom fields' read and edit roles (core.customfields asks here) --------------------------------


def roles_allow(user: Any, roles: Iterable[str] | None) -> bool:
    """A custom field's role list: empty lets everyone; otherwise administrators and the listed roles."""
    roles = list(roles or [])
    if not roles:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(_sees_all(user) or getattr(user, "role", None) in roles)


def may_read_custom(user: Any, read_roles: Iterable[str] | None) -> bool:
    """Whether ``user`` sees a custom field with these read roles (pages, API, exports, search, history)."""
    return roles_allow(user, read_roles)


def may_edit_custom(user: Any, read_roles: Iterable[str] | None, edit_roles: Iterable[str] | None) -> bool:
    """Editing needs reading too. ``user`` None is a system write (import, demo, tasks): allowed."""
    if user is None:
        return True
    return may_read_custom(user, read_roles) and roles_allow(user, edit_roles)
