"""The rule page's action builder: one row per action (its type, then that type's own settings), read
back into the same list of ``{"type": ..., setting: value}`` the API takes, so one check
(``actions.validate_actions``) decides for both. Rows keep their order by an "order" number, so actions
are reordered without script; a small static script only hides the settings of the types not chosen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .actions import ACTIONS

MAX_ROWS = 10  # validate_actions allows at most 10 actions
BLANK_ROWS = 2
_ROW = re.compile(r"^a(\d{1,2})-type$")
_INT = re.compile(r"^-?\d{1,9}$")


def posted(data: Mapping[str, Any]) -> bool:
    """The page's form marks itself: an API-style post of JSON ``actions`` has no builder rows."""
    return "builder" in data


def _value(raw: str, number_like: bool) -> Any:
    return int(raw) if number_like and _INT.match(raw) else raw


def actions_from_post(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The posted rows as actions, in their order; rows with no type chosen are left out."""
    rows: list[tuple[int, int, dict[str, Any]]] = []
    for key in data:
        match = _ROW.match(key)
        if match is None:
            continue
        index = int(match.group(1))
        kind = str(data.get(key) or "").strip()
        if not kind:
            continue
        action: dict[str, Any] = {"type": kind}
        spec = ACTIONS.get(kind)
        for param in spec.params if spec is not None else ():
            raw = str(data.get(f"a{index}-{kind}-{param.name}") or "").strip()
            if raw:
                action[param.name] = _value(raw, param.input in ("number", "choice"))
        order_raw = str(data.get(f"a{index}-order") or "").strip()
        order = int(order_raw) if _INT.match(order_raw) else index + 1
        rows.append((order, index, action))
    return [action for _order, _index, action in sorted(rows, key=lambda r: (r[0], r[1]))]


def rows_for(kind: str, actions: Any) -> dict[str, Any]:
    """What the page draws: the action types that apply to ``kind`` (the others are listed too, marked,
    since the object can still change before saving), and a row per action plus blank rows."""
    existing = [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    # Several settings list the same thing (the people: a task's assignee, a request's, who to notify,
    # who follows): each list is read once per page, not once per setting.
    read: dict[Callable[[], list[tuple[Any, Any]]], list[tuple[str, Any]]] = {}
    for spec in ACTIONS.values():
        for p in spec.params:
            if p.choices and p.choices not in read:
                read[p.choices] = [(str(v), label) for v, label in p.choices()]
    choices = {
        key: {p.name: read[p.choices] for p in spec.params if p.choices} for key, spec in ACTIONS.items()
    }
    count = min(MAX_ROWS, len(existing) + BLANK_ROWS)
    rows = []
    for index in range(count):
        action = existing[index] if index < len(existing) else {}
        chosen = str(action.get("type") or "")
        groups = []
        for key, spec in ACTIONS.items():
            fields = []
            for param in spec.params:
                value = action.get(param.name) if key == chosen else None
                fields.append(
                    {
                        "name": f"a{index}-{key}-{param.name}",
                        "label": param.label,
                        "input": param.input,
                        "help": param.help,
                        "choices": choices[key].get(param.name, []),
                        "value": "" if value is None else str(value),
                    }
                )
            groups.append({"type": key, "label": spec.label, "fields": fields, "shown": key == chosen})
        rows.append({"index": index, "order": index + 1, "type": chosen, "groups": groups})
    types = [(key, spec.label, kind in spec.kinds) for key, spec in ACTIONS.items()]
    return {"rows": rows, "types": types}
