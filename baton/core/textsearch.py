"""Search that uses an index for short Korean (and any CJK) terms, initial consonants and phone digits.

``pg_trgm`` cannot take a trigram from a one- or two-syllable pattern ("리정", "김"), so ``icontains``
on such a term scans the table. A searchable record therefore keeps two derived columns beside it,
written by ``create_record``/``update_record`` (and by the bulk paths through ``search_values``):

- ``search_tokens``: the distinct one- and two-character grams of every CJK run in its searchable
  text, plus the two-letter grams of its initial consonants (초성), space-separated. PostgreSQL
  indexes ``string_to_array(search_tokens, ' ')`` with GIN and asks ``@>``; SQLite keeps an FTS5
  table of the same tokens (synced by triggers) and asks ``MATCH``.
- ``search_text``: the exact strings the token index cannot express as a field lookup: the initial
  consonants of each searchable field (가나다테크 -> ㄱㄴㄷㅌㅋ) and the digits of each phone number.

A search then narrows by tokens (indexed) and keeps the exact ``icontains`` of the list's fields as
the final filter, so results are exactly what a full scan would give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.apps import apps
from django.db import connections, migrations, models
from django.db.models import Lookup, Q, QuerySet

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
_SEPARATOR = "\n"


def is_cjk(char: str) -> bool:
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


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()


def _cjk_runs(text: str) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for char in text:
        if is_cjk(char):
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def initials(text: str) -> str:
    """The initial consonant of every Hangul syllable, other characters dropped: 가나다 테크 -> ㄱㄴㄷㅌㅋ."""
    out = []
    for char in text or "":
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3:
            out.append(_CHOSEONG[(code - 0xAC00) // 588])
    return "".join(out)


def phone_digits(value: str) -> str:
    """Digits of a phone number, a Korean +82 prefix read as the leading 0: +82 10-1234 -> 01012…"""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+82") and digits.startswith("82"):
        digits = "0" + digits[2:]
    return digits


def grams(text: str) -> set[str]:
    """Every one- and two-character gram of the CJK runs in ``text`` (lower-cased, NFC)."""
    out: set[str] = set()
    for run in _cjk_runs(_normal(text)):
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def search_values(
    texts: Iterable[str], phones: Iterable[str] = (), token_texts: Iterable[str] = ()
) -> tuple[str, str]:
    """``(search_text, search_tokens)`` for a record with these searchable texts and phone numbers;
    ``token_texts`` (searchable custom field values) add their grams to the tokens only."""
    tokens: set[str] = set()
    for text in token_texts:
        tokens |= grams(text)
    parts: list[str] = []
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


@dataclass
class QueryPlan:
    """What a typed term asks for: tokens every match must carry, and the extra exact matches."""

    tokens: list[str] = field(default_factory=list)
    initials: str = ""
    digits: str = ""


def plan_query(term: str) -> QueryPlan:
    text = _normal(term).strip()
    plan = QueryPlan()
    compact = re.sub(r"\s+", "", text)
    if len(compact) >= 2 and all(c in _CONSONANTS for c in compact):
        plan.initials = compact
    if re.fullmatch(r"[\d\s\-+().]+", text):
        digits = phone_digits(text)
        if len(digits) >= 3:
            plan.digits = digits
    tokens: set[str] = set()
    for run in _cjk_runs(text):
        tokens |= {run} if len(run) == 1 else _pairs(run)
    if plan.initials:
        tokens = _pairs(plan.initials)
    plan.tokens = sorted(tokens)
    return plan


# --- the model side ------------------------------------------------------------------------------


class SearchTokensField(models.TextField):
    """Space-separated search tokens; filter with ``__has_tokens=[...]`` (all of them, indexed)."""


@SearchTokensField.register_lookup
class HasTokens(Lookup):
    lookup_name = "has_tokens"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return [str(t) for t in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        tokens = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"string_to_array({lhs}, ' ') @> %s::text[]", [*lhs_params, tokens]
        if connection.vendor == "sqlite":
            model = self.lhs.target.model
            qn = compiler.quote_name_unless_alias
            pk = f"{qn(self.lhs.alias)}.{qn(model._meta.pk.column)}"
            fts = qn(fts_table(model._meta.db_table))
            match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
            return f"{pk} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [match]  # noqa: S608
        # Any other database: a scan over the padded token string.
        sql = " AND ".join([f"(' ' || {lhs} || ' ') LIKE %s"] * len(tokens))
        return sql, [*lhs_params * len(tokens), *[f"% {t} %" for t in tokens]]


class Searchable(models.Model):
    """Abstract: the derived search columns. Subclasses name their searchable fields and phones."""

    SEARCH_FIELDS: ClassVar[Sequence[str]] = ()
    SEARCH_PHONES: ClassVar[Sequence[str]] = ()

    search_text = models.TextField(default="", blank=True, editable=False)
    search_tokens = SearchTokensField(default="", blank=True, editable=False)

    class Meta:
        abstract = True


def refresh_search_fields(instance: models.Model, token_texts: Iterable[str] = ()) -> dict[str, str]:
    """Recompute the derived columns on ``instance``; return those whose value changed.
    ``token_texts``: its searchable custom field values (``customfields.search.token_texts``)."""
    if not isinstance(instance, Searchable):
        return {}
    text, tokens = search_values(
        (str(getattr(instance, name) or "") for name in instance.SEARCH_FIELDS),
        (str(getattr(instance, name) or "") for name in instance.SEARCH_PHONES),
        token_texts,
    )
    changed = {}
    if instance.search_text != text:
        changed["search_text"] = instance.search_text = text
    if instance.search_tokens != tokens:
        changed["search_tokens"] = instance.search_tokens = tokens
    return changed


_LOOKUPS = {"icontains", "contains", "startswith", "istartswith", "iexact", "exact"}


def _token_paths(model: type[models.Model], lookups: Sequence[str]) -> list[str] | None:
    """The ``search_tokens`` paths that together cover every lookup, or None when one is not covered
    (a field outside SEARCH_FIELDS: then narrowing by tokens could drop a true match)."""
    paths: set[str] = set()
    for lookup in lookups:
        parts = lookup.split("__")
        if parts[0] == "custom_field_data" and issubclass(model, Searchable):
            paths.add("search_tokens")  # searchable custom values feed the record's own tokens
            continue
        if parts[-1] in _LOOKUPS:
            parts = parts[:-1]
        target: Any = model
        for rel in parts[:-1]:
            related = target._meta.get_field(rel).related_model
            if related is None:
                return None
            target = related
        if not (isinstance(target, type) and issubclass(target, Searchable)):
            return None
        if parts[-1] not in target.SEARCH_FIELDS:
            return None
        paths.add("__".join([*parts[:-1], "search_tokens"]))
    return sorted(paths)


def search_filter(qs: QuerySet, lookups: Sequence[str], term: str, *, digits: bool = True) -> QuerySet:
    """``qs`` narrowed to records matching ``term`` in any of ``lookups`` (e.g. ``name__icontains``),
    or in the record's initial consonants or (unless ``digits`` is off) phone digits; indexed for CJK
    terms."""
    cond = Q()
    for lookup in lookups:
        cond |= Q(**{lookup: term})
    model = qs.model
    if not issubclass(model, Searchable):
        return qs.filter(cond)
    plan = plan_query(term)
    if plan.initials:
        cond |= Q(search_text__contains=plan.initials)
    if plan.digits and digits:
        cond |= Q(search_text__contains=plan.digits)
    if plan.tokens:
        paths = _token_paths(model, lookups)
        if paths is not None:
            narrow = Q()
            for path in paths:
                narrow |= Q(**{f"{path}__has_tokens": plan.tokens})
            if "search_tokens" not in paths:
                narrow |= Q(search_tokens__has_tokens=plan.tokens)
            qs = qs.filter(narrow)
    return qs.filter(cond)


# --- the index itself ----------------------------------------------------------------------------


def fts_table(table: str) -> str:
    return f"{table}_search_fts"


def searchable_models() -> list[type[Searchable]]:
    return [m for m in apps.get_models() if issubclass(m, Searchable)]


def ensure_index(model: type[models.Model], using: str = "default", *, rebuild: bool = False) -> bool:
    """Create the index of ``model``'s tokens if missing (idempotent); returns True when it was
    (re)built. On SQLite a table rebuilt by a later migration loses its triggers: they come back
    here, and the FTS table is rebuilt from the column so it matches again."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only when missing: even "IF NOT EXISTS" is refused in a transaction with pending
            # deferred constraint checks (a test, or the command run inside one).
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname IN (%s, %s)",
                [table, f"{table}_search_tokens_gin", f"{table}_search_text_trgm"],
            )
            if len(cursor.fetchall()) == 2:
                return False
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_search_tokens_gin" ON "{table}" '
                f"USING gin ((string_to_array(\"search_tokens\", ' ')))"
            )
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_search_text_trgm" ON "{table}" '
                f'USING gin ("search_text" gin_trgm_ops)'
            )
            return True
        if connection.vendor != "sqlite":
            return False
        fts = fts_table(table)
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
            [fts, f"{fts}_ai", f"{fts}_ad", f"{fts}_au"],
        )
        present = {row[0] for row in cursor.fetchall()}
        # Names below come from model metadata, never from input.
        add = f'INSERT INTO "{fts}"(rowid, search_tokens) VALUES (new.id, new.search_tokens);'  # noqa: S608
        drop = (
            f'INSERT INTO "{fts}"("{fts}", rowid, search_tokens) '  # noqa: S608
            "VALUES ('delete', old.id, old.search_tokens);"
        )
        for statement in (
            f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5('
            f"search_tokens, content='{table}', content_rowid='id', tokenize='unicode61')",
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" BEGIN {add} END',
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" BEGIN {drop} END',
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF search_tokens ON "{table}" '
            f"BEGIN {drop} {add} END",
        ):
            cursor.execute(statement)
        if rebuild or len(present) < 4:
            cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')  # noqa: S608
            return True
    return False


def ensure_indexes_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    for model in searchable_models():
        ensure_index(model, using)


def backfill(
    model: type[models.Model], *, batch: int = 2000, using: str = "default", only: Q | None = None
) -> int:
    """Recompute the derived columns of every row of ``model`` (or those matching ``only``), with its
    searchable custom field values (a management command and data migrations call this); returns how
    many rows changed."""
    from baton.core.customfields.search import token_source  # noqa: PLC0415 (customfields reads this)

    names: Sequence[str] = getattr(model, "SEARCH_FIELDS", ())
    phones: Sequence[str] = getattr(model, "SEARCH_PHONES", ())
    return backfill_fields(
        model, names, phones, batch=batch, using=using, custom=token_source(model), only=only
    )


def backfill_fields(
    model: Any,
    names: Sequence[str],
    phones: Sequence[str],
    *,
    batch: int = 2000,
    using: str = "default",
    custom: Any = None,
    only: Q | None = None,
) -> int:
    """``custom``: a function of a row's ``custom_field_data`` giving the texts its tokens also hold."""
    manager = model._base_manager.using(using)
    changed = 0
    last = 0
    extra = ["custom_field_data"] if custom is not None else []
    columns = ["pk", *names, *phones, *extra, "search_text", "search_tokens"]
    base = manager.filter(only) if only is not None else manager.all()
    while True:
        rows = list(base.filter(pk__gt=last).order_by("pk").values_list(*columns)[:batch])
        if not rows:
            return changed
        updates = []
        for row in rows:
            pk, values = row[0], row[1:]
            texts = [str(v or "") for v in values[: len(names)]]
            nums = [str(v or "") for v in values[len(names) : len(names) + len(phones)]]
            more = custom(values[len(names) + len(phones)]) if custom is not None else ()
            text, tokens = search_values(texts, nums, more)
            if (text, tokens) != tuple(values[-2:]):
                updates.append(model(pk=pk, search_text=text, search_tokens=tokens))
        if updates:
            manager.bulk_update(updates, ["search_text", "search_tokens"], batch_size=500)
            changed += len(updates)
        last = rows[-1][0]


def backfill_operation(app_label: str, model_name: str, names: Sequence[str], phones: Sequence[str] = ()):
    """A data migration step filling the derived columns of existing rows."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        backfill_fields(model, names, phones, using=schema_editor.connection.alias)

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)
