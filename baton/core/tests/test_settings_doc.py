"""The README's configuration table must name every environment variable settings.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_environment_variable_is_documented():
    settings_src = (ROOT / "baton" / "settings.py").read_text()
    names = set(re.findall(r'(?:env_(?:str|int|bool|list)|_database)\(\s*"([A-Z][A-Z0-9_]+)"', settings_src))
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= names
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"document these in README.md's configuration table: {missing}"


def test_bad_settings_fail_fast(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from baton.settings import env_bool, env_int

    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "2")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_NUM", 10, minimum=5)
