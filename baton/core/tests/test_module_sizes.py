"""Modules stay small enough to read: a module past 600 lines becomes a package by topic (issue 10).

Tests and migrations are left out (a test file reads top to bottom, a migration is generated)."""

from pathlib import Path

LIMIT = 600
ROOT = Path(__file__).resolve().parents[3]


def test_no_module_is_longer_than_the_limit():
    too_long = {}
    for base in ("baton", "bench"):
        for path in (ROOT / base).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > LIMIT:
                too_long[path.relative_to(ROOT).as_posix()] = lines
    assert too_long == {}, f"split these into packages by topic: {too_long}"
