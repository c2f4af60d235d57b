"""Shared by the automation tests: make a rule, run the worker until the queue is empty."""

from __future__ import annotations

from typing import Any

from baton.automation import engine, services
from baton.automation.models import Rule


def make_rule(root: Any, **values: Any) -> Rule:
    values.setdefault("name", "규칙")
    values.setdefault("enabled", True)
    values.setdefault("condition", "")
    return services.save_rule(None, actor=root, values=values)


def drain(capture: Any, rounds: int = 10) -> int:
    """Run the worker as many times as new runs appear (their triggers are looked at after commits)."""
    total = 0
    for _ in range(rounds):
        with capture(execute=True):
            handled = engine.process_due(worker="test")
        total += handled
        if not handled:
            break
    return total
