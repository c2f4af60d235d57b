"""Frozen copy of the search-token functions, for the data migrations that backfill them.

Migrations never import live code: these are the functions of ``baton/core/textsearch.py`` as they
were when the ``search_text``/``search_tokens`` columns were added (accounts 0007, leads 0007,
deals 0009, activities 0006). Do not edit them to follow later changes of the live module: a
migration must do today what it did when it was written (``baton rebuild_search_index``
recomputes the tokens of existing rows with the live code). The leading underscore keeps
Django's migration loader from taking this module for a migration.
"""

import re
import unicodedata

from django.db import migrations

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
_SEPARATOR = "\n"


def is_cjk(char):
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3131 <= code <= 0x318E  # Hangul compatibility jamo (what a keyboard types: ㄱ, ㅏ)
        or 0x3040 <= code <= 0x30FF  # Hiragana, Katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


def _normal(text):
    return unicodedata.normalize("NFC", text or "").lower()


def _cjk_runs(text):
    runs = []
    current = []
    for char in text:
        if is_cjk(char):
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def initials(text):
    """The initial consonant of every Hangul syllable, other characters dropped: 가나다 테크 -> ㄱㄴㄷㅌㅋ."""
    out = []
    for char in text or "":
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3:
            out.append(_CHOSEONG[(code - 0xAC00) // 588])
    return "".join(out)


def phone_digits(value):
    """Digits of a phone number, a Korean +82 prefix read as the leading 0: +82 10-1234 -> 01012…"""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+82") and digits.startswith("82"):
        digits = "0" + digits[2:]
    return digits


def grams(text):
    """Every one- and two-character gram of the CJK runs in ``text`` (lower-cased, NFC)."""
    out = set()
    for run in _cjk_runs(_normal(text)):
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _pairs(text):
    return {text[i : i + 2] for i in range(len(text) - 1)}


def search_values(texts, phones = ()):
    """``(search_text, search_tokens)`` for a record with these searchable texts and phone numbers."""
    tokens = set()
    parts = []
    for text in texts:
        if not text:
            continue
        tokens |= grams(text)
        chosung = initials(_normal(text))
        if len(chosung) >= 2:
            parts.append(chosung)
            tokens |= _pairs(chosung)
    for phone in phones:
        digits = phone_digits(phone)
        if digits:
            parts.append(digits)
    return _SEPARATOR.join(parts), " ".join(sorted(tokens))




def backfill_fields(model, names, phones, *, batch=2000, using="default"):
    manager = model._base_manager.using(using)
    last = 0
    columns = ["pk", *names, *phones, "search_text", "search_tokens"]
    while True:
        rows = list(manager.filter(pk__gt=last).order_by("pk").values_list(*columns)[:batch])
        if not rows:
            return
        updates = []
        for row in rows:
            pk, values = row[0], row[1:]
            texts = [str(v or "") for v in values[: len(names)]]
            nums = [str(v or "") for v in values[len(names) : len(names) + len(phones)]]
            text, tokens = search_values(texts, nums)
            if (text, tokens) != tuple(values[-2:]):
                updates.append(model(pk=pk, search_text=text, search_tokens=tokens))
        if updates:
            manager.bulk_update(updates, ["search_text", "search_tokens"], batch_size=500)
        last = rows[-1][0]


def backfill_operation(app_label, model_name, names, phones=()):
    """A data migration step filling the derived columns of existing rows.

    Its reverse does nothing on purpose: reversing the migration drops the two columns it filled."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        backfill_fields(model, names, phones, using=schema_editor.connection.alias)

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)  # reverse: columns go
