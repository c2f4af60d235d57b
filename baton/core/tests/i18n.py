"""Helpers for tests of the translated UI: compiled catalogues, gettext tools, a small .po reader."""

from __future__ import annotations

import ast
import gettext
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGS = ("ko", "en")


def require_gettext(*tools: str) -> None:
    """Skip when GNU gettext is missing locally; in CI (CI=true) a missing tool is a failure."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext is missing ({', '.join(missing)}): apt-get install gettext"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def ensure_compiled_messages() -> None:
    """Compile a catalogue whose .mo is missing or older than its .po (what `make` does), so the
    Korean pages can be tested with a plain `pytest` too; then drop the cached catalogues."""
    stale = []
    for lang in LANGS:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            stale.append(lang)
    if not stale:
        return
    require_gettext("msgfmt")
    cwd = Path.cwd()
    os.chdir(LOCALE_DIR)  # compilemessages walks the working directory for more locale dirs
    try:
        call_command("compilemessages", locale=stale, verbosity=0)
    finally:
        os.chdir(cwd)
    # Python's gettext caches .mo files by path, Django its catalogues by language.
    gettext._translations.clear()  # type: ignore[attr-defined]
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        where = self.references[0] if self.references else "?"
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context} at {where}"


def read_po(path: Path) -> list[PoEntry]:
    """The live entries of a .po file (not the header, not obsolete #~ entries)."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    key: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal entry, key
        if key is not None and entry.msgid:
            entries.append(entry)
        entry, key = PoEntry(), None

    def append(target: tuple[str, int], text: str) -> None:
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        else:
            setattr(entry, name, getattr(entry, name) + text)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if key is not None:
                flush()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            if key is not None:
                flush()
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is not None:
                append(key, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and key is not None and key[0].startswith("msgstr"):
                flush()
            if keyword.startswith("msgstr["):
                key = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                key = ("msgstr", 0)
            else:
                key = (keyword, 0)
            append(key, ast.literal_eval(rest))
    flush()
    return entries
