import pytest


@pytest.fixture(autouse=True)
def _strict_scoring_hooks(monkeypatch):
    from baton.scoring.scores import services  # noqa: PLC0415 - fixture-local

    monkeypatch.setattr(services, "STRICT_HOOKS", True)
