"""Fixtures of the activities tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks enqueued on commit run at once here (tests that want the database backend and its
    worker set TASKS themselves)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
