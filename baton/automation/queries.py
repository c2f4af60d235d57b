"""Reads: runs of a record for those who may see the record; the log and the rules for administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from baton.core.records import get_record_for_user

from .facts import MODELS
from .models import Run


def runs_of(kind: str, record_id: int) -> QuerySet[Run]:
    return Run.objects.filter(record_kind=kind, record_id=record_id).select_related("rule", "version")


def record_runs_for_user(user: Any, kind: str, record_id: Any) -> tuple[Any, QuerySet[Run]]:
    """The record (404 for those who may not see it) and its runs, newest first."""
    record = get_record_for_user(user, kind, record_id, kinds=tuple(k for k in MODELS if k != "activity"))
    return record, runs_of(kind, record.pk)


def log(status: str = "", rule_id: int | None = None) -> QuerySet[Run]:
    runs = Run.objects.select_related("rule", "version")
    if status:
        runs = runs.filter(status=status)
    if rule_id:
        runs = runs.filter(rule_id=rule_id)
    return runs
