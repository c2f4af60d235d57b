"""User-written expressions in CEL (Common Expression Language): compile, check and run them safely.

One expression language across the product: the process's stage criteria (``process.criteria``) and
the record validation rules of custom fields (``core.customfields.rules``) both go through here.
Expressions are never run through Python's ``eval``: CEL is side-effect free, terminates, and only
sees the names we hand it. The checks below also bound the cost of what a user may write.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any

import cel
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_FUNCTIONS = frozenset({
    "size", "has", "int", "uint", "double", "string", "bool", "contains", "startsWith", "endsWith", "matches",
    "all", "exists", "exists_one", "map", "filter", "in", "min", "max", "lowerAscii", "upperAscii",
})  # fmt: skip
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MACRO_BOUND = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")


# Cost limits: CEL always terminates, but a user-written expression could still be deep, long or slow
# (nested comprehensions over lists multiply). Checked before an expression is saved and before it runs.
MAX_DEPTH = 12  # nesting of (), [] and {}
MAX_TOKENS = 250
MAX_MACROS = 3  # all/exists/exists_one/map/filter calls in one expression
MAX_EVAL_SECONDS = 0.5
_STRING_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|&&|\|\||[=!<>]=|\S")
_MACRO_CALL = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(")


def cost_problem(expression: str) -> str:
    """A readable reason the expression is too costly to run, or ''."""
    bare = _STRING_LITERAL.sub('""', expression)
    depth = deepest = 0
    for char in bare:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        return _("The expression is nested too deeply (at most %(max)d levels).") % {"max": MAX_DEPTH}
    if len(_TOKEN.findall(bare)) > MAX_TOKENS:
        return _("The expression has too many parts (at most %(max)d).") % {"max": MAX_TOKENS}
    if len(_MACRO_CALL.findall(bare)) > MAX_MACROS:
        return _("The expression uses too many list functions (at most %(max)d).") % {"max": MAX_MACROS}
    return ""


@functools.lru_cache(maxsize=512)
def _compile(expression: str) -> Any:
    return cel.compile(expression)


def run_expression(expression: str, facts: dict[str, Any]) -> Any:
    """Run the expression; one that takes longer than the budget counts as an error (CEL cannot be
    interrupted mid-run, so the budget is enforced on the result, and validation rejects slow ones)."""
    started = time.perf_counter()
    result = _compile(expression).execute(facts)
    if time.perf_counter() - started > MAX_EVAL_SECONDS:
        raise TimeoutError(_("The expression took too long to evaluate."))
    return result


def referenced_facts(expression: str) -> list[str]:
    """The names the expression reads (variables bound by list macros excluded)."""
    program = _compile(expression)
    bound = set(_MACRO_BOUND.findall(expression))
    return [name for name in program.variables() if name not in bound]


def check_expression(
    expression: str, sample: dict[str, Any], *, example: str, names_of: Callable[[], list[str]]
) -> None:
    """Raise ValidationError with a readable message unless ``expression`` is a cheap boolean over the
    names of ``sample`` that runs on the sample's values. ``example`` is shown when the result is not
    a boolean; ``names_of`` lists the known names for an unknown-name message."""
    problem = cost_problem(expression)
    if problem:
        raise ValidationError(problem)
    try:
        names = referenced_facts(expression)
    except ValueError as exc:
        detail = str(exc).split("ERROR:", 1)[-1].strip().splitlines()[0] if "ERROR:" in str(exc) else str(exc)
        raise ValidationError(
            _("The expression cannot be parsed: %(detail)s") % {"detail": detail[:200]}
        ) from None
    functions = [
        f for f in _compile(expression).functions() if _IDENT.fullmatch(f) and f not in ALLOWED_FUNCTIONS
    ]
    if functions:
        raise ValidationError(
            _("Unknown function %(names)s. Use comparisons, && || !, size(), has() or contains().")
            % {"names": ", ".join(functions)}
        )
    unknown = [n for n in names if n not in sample]
    if unknown:
        raise ValidationError(
            _("Unknown fact %(names)s. Facts of this record kind: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(names_of())}
        )
    try:
        result = run_expression(expression, dict(sample))
    except TimeoutError as exc:
        raise ValidationError(str(exc)) from None
    except Exception as exc:  # the library raises TypeError/KeyError/RuntimeError for type errors
        raise ValidationError(
            _("The expression does not fit the facts' types: %(detail)s")
            % {"detail": str(exc).split(".")[0][:200]}
        ) from None
    if not isinstance(result, bool):
        raise ValidationError(
            _("The expression must be true or false, not a %(type)s; compare it, e.g. %(example)s.")
            % {"type": type(result).__name__, "example": example}
        )
