"""Panels: how an app adds a box to a page another (lower) app owns, without that app importing it.

A page that shows panels (the account 360° page: ``"account"``) asks ``panels_for(page)`` for the
registered panels in order, renders each template, and merges each panel's ``context`` into its
template context. Apps register their panels in ``AppConfig.ready()``::

    register_panel("account", "delivery/panels/_account_projects.html", order=50)

``context(user, obj)`` (optional) returns the extra template variables the panel needs, read
through the permission-aware queries of the app that owns the data. Registering the same template
twice replaces the first registration (``ready()`` may run twice in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    page: str
    template: str
    order: int
    context: PanelContext | None = None


_PANELS: dict[str, dict[str, Panel]] = {}


def register_panel(page: str, template: str, order: int = 100, context: PanelContext | None = None) -> Panel:
    """Show ``template`` on ``page`` (panels sort by ``order``, then by template name)."""
    panel = Panel(page=page, template=template, order=order, context=context)
    _PANELS.setdefault(page, {})[template] = panel
    return panel


def unregister_panel(page: str, template: str) -> None:
    _PANELS.get(page, {}).pop(template, None)


def panels_for(page: str) -> list[Panel]:
    return sorted(_PANELS.get(page, {}).values(), key=lambda p: (p.order, p.template))


def render_panels(page: str, user: Any, obj: Any) -> tuple[list[str], dict[str, Any]]:
    """The templates of ``page``'s panels in order, and the context their providers add for ``obj``."""
    panels = panels_for(page)
    context: dict[str, Any] = {}
    for panel in panels:
        if panel.context is not None:
            context.update(panel.context(user, obj))
    return [p.template for p in panels], context
