import pytest


@pytest.fixture(autouse=True)
def strict_process_hooks(monkeypatch):
    """Hook failures must fail the process tests, not be logged away."""
    from baton.process import services

    monkeypatch.setattr(services, "STRICT_HOOKS", True)
