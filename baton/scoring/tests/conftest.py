import pytest

from baton.scoring.scores import services


@pytest.fixture(autouse=True)
def _strict_scoring_hooks(monkeypatch):
    monkeypatch.setattr(services, "STRICT_HOOKS", True)
