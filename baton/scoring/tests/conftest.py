import pytest


@pytest.fixture(autouse=True)
def _strict_scoring_hooks(monkeypatch):
    from baton.scoring import services

    monkeypatch.setattr(services, "STRICT_HOOKS", True)
