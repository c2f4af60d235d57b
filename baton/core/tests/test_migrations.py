"""Migrations never import live application code, and every data migration can be reversed or says why not.

A migration runs years after it was written, against whatever the live modules have become: a
migration that imports ``baton.deals.services`` silently does something else once the services
change. The only ``baton`` names a migration may use are

- other migration modules (``baton.<app>.migrations...``, e.g. the frozen helpers in
  ``baton/core/migrations/_frozen_search_tokens.py``), and
- the field classes, validators and default callables Django's migration writer itself puts in
  field definitions (``baton.core.korean.validate_brn``): they describe the schema, they do not run
  data code. They are listed in ``SCHEMA_REFERENCES``; add to it only for that kind of reference.

No database needed: the files are parsed, not imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BATON = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(p for p in BATON.glob("*/migrations/*.py") if p.name != "__init__.py")

#: What Django's migration writer references in field definitions (not code a migration runs).
SCHEMA_REFERENCES = {
    "baton.core.korean.validate_brn",
    "baton.core.phones.validate_phone",
    "baton.core.validators.validate_web_url",
    "baton.core.textsearch.SearchTokensField",
    "baton.activities.models.new_token",
    "baton.security.fields.EncryptedCharField",
}
MIGRATION_MODULE = re.compile(r"^baton\.\w+\.migrations(\.\w+)*$")


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def live_imports(source: str) -> list[str]:
    """The ``baton`` names a migration's source uses that are neither migrations nor schema references."""
    tree = ast.parse(source)
    bad: list[str] = []
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "baton":
            if not MIGRATION_MODULE.match(node.module or ""):
                bad += [f"from {node.module} import {alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "baton" or MIGRATION_MODULE.match(alias.name):
                    continue
                if alias.asname:
                    bad.append(f"import {alias.name} as {alias.asname}")
                imported_modules.add(alias.name)
    if imported_modules:
        # ``import baton.core.korean`` is what the writer emits; each use must be a schema reference
        # (inner nodes of a dotted name, ``baton.core``, are prefixes of one and pass).
        for node in ast.walk(tree):
            name = _dotted(node) if isinstance(node, ast.Attribute) else None
            if not name or not name.startswith("baton.") or name in imported_modules:
                continue
            if name not in SCHEMA_REFERENCES and not any(
                ref.startswith(name + ".") for ref in SCHEMA_REFERENCES
            ):
                bad.append(name)
    return sorted(set(bad))


def irreversible_without_reason(source: str) -> list[int]:
    """Lines of ``RunPython`` calls with no reverse, or a ``noop`` reverse without a comment saying why."""
    lines = source.splitlines()
    bad: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and (_dotted(node.func) or "").endswith("RunPython")):
            continue
        reverse = node.args[1] if len(node.args) > 1 else None
        for keyword in node.keywords:
            if keyword.arg == "reverse_code":
                reverse = keyword.value
        if reverse is None:
            bad.append(node.lineno)
        elif (_dotted(reverse) or "").endswith("RunPython.noop"):
            around = lines[max(0, node.lineno - 3) : node.end_lineno or node.lineno]
            if not any("#" in line for line in around):
                bad.append(node.lineno)
    return bad


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.parent.name}/{p.name}" for p in paths]


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) > 40
    assert any(p.name.startswith("0002_default_pipeline") for p in MIGRATIONS)


@pytest.mark.parametrize("path", MIGRATIONS, ids=_ids(MIGRATIONS))
def test_migration_imports_no_live_code(path: Path):
    assert live_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", MIGRATIONS, ids=_ids(MIGRATIONS))
def test_data_migration_reverses_or_says_why_not(path: Path):
    assert irreversible_without_reason(path.read_text(encoding="utf-8")) == []


def test_the_checks_catch_what_they_are_for():
    # What deals 0002 and the search-token migrations did before they were given frozen copies.
    assert live_imports("from baton.deals.services import DEFAULT_STAGES\n") == [
        "from baton.deals.services import DEFAULT_STAGES"
    ]
    assert live_imports("import baton.core.textsearch\nx = baton.core.textsearch.backfill_operation\n") == [
        "baton.core.textsearch.backfill_operation"
    ]
    assert (
        live_imports(
            "import baton.core.korean\nv = [baton.core.korean.validate_brn]\n"
            "from baton.core.migrations._frozen_search_tokens import backfill_operation\n"
        )
        == []
    )
    assert irreversible_without_reason("migrations.RunPython(forward)\n") == [1]
    assert irreversible_without_reason("migrations.RunPython(forward, migrations.RunPython.noop)\n") == [1]
    assert (
        irreversible_without_reason(
            "# Reverse: the column goes with the AddField.\n"
            "migrations.RunPython(f, migrations.RunPython.noop)\n"
        )
        == []
    )
    assert irreversible_without_reason("migrations.RunPython(f, reverse_code=back)\n") == []
