import pytest


@pytest.fixture(autouse=True)
def fresh_design_cache():
    """Tests roll back design rows the cache may have seen; start each test with an empty cache."""
    from baton.process import services

    services.invalidate_design_cache()
    yield
    services.invalidate_design_cache()
