"""Fixtures of the activities tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def seeded_pipeline(transactional_db):
    """Transactional tests run after a flush (e.g. a browser test's) may find the data migrations'
    rows gone; put the default pipeline back the way its migration does."""
    from django.apps import apps

    from baton.deals.models import Pipeline

    if not Pipeline.objects.filter(is_default=True).exists():
        migration = importlib.import_module("baton.deals.migrations.0002_default_pipeline_and_lost_reasons")
        migration.create_defaults(apps, None)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks enqueued on commit run at once here (tests that want the database backend and its
    worker set TASKS themselves)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
