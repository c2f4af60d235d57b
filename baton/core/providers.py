"""Providers: how a lower app asks a higher one for figures it may not import.

Events (``core.events``) carry news upward. A provider answers a question asked from below: the lower
app declares nothing but the question's types here, the higher app that knows the answer registers one
function in its ``AppConfig.ready()``, and the lower app calls ``provider.ask(...)``. When no app has
registered (the higher app is not installed), ``ask`` returns the declared default, so the lower app
shows "not known" rather than failing.

Rules, kept small on purpose:

- Every provider is declared in this module with frozen dataclasses for what it returns, so a reader
  finds every upward question in one file and mypy checks both ends.
- One function per provider: registering again replaces it (``ready()`` may run twice in tests).
- The function reads only; it is given the reader and answers within what the reader may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Provider(Generic[R]):
    """A named question with at most one registered answering function."""

    def __init__(self, name: str, doc: str, default: Callable[[], R]) -> None:
        self.name = name
        self.__doc__ = doc
        self._default = default
        self._function: Callable[..., R] | None = None
        REGISTRY[name] = self

    def provide(self, function: Callable[..., R]) -> Callable[..., R]:
        """Register ``function`` as the answer (replacing any earlier one). Usable as a decorator."""
        self._function = function
        return function

    def withdraw(self) -> None:
        self._function = None

    @property
    def provided(self) -> bool:
        return self._function is not None

    def ask(self, *args: Any, **kwargs: Any) -> R:
        """The registered function's answer, or the default when nothing is registered."""
        if self._function is None:
            return self._default()
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Provider {self.name}: {'provided' if self.provided else 'not provided'}>"


REGISTRY: dict[str, Provider[Any]] = {}


# --- Questions and their answers. Add new ones below, each with its types right above it. ---


@dataclass(frozen=True)
class Delivered:
    """A deal a partner delivered: the opportunity and the customer's account."""

    opportunity_id: int
    account_id: int


@dataclass(frozen=True)
class CustomerOutcome:
    """What happened at a customer after a delivered deal went live (``go_live``: None when it has not
    gone live, and then nothing is counted). Ids, not counts, so a caller summing several deals at one
    customer counts each case and renewal once."""

    go_live: dt.date | None
    case_ids: frozenset[int] = frozenset()  # support cases opened within the window from go-live
    renewals_won: frozenset[int] = frozenset()  # renewals decided since go-live: renewed
    renewals_lost: frozenset[int] = frozenset()  # … and churned


#: ``ask(user, delivered: Sequence[Delivered], window_days: int) -> {opportunity_id: CustomerOutcome}``
#: over the cases and renewals ``user`` may see; deals the provider knows nothing of are left out.
customer_outcomes: Provider[dict[int, CustomerOutcome]] = Provider(
    "customer_outcomes",
    "Support cases opened soon after a delivered deal went live, and the customer's renewals won and "
    "lost since (the success app answers; the partners app's delivery-quality report asks).",
    default=dict,
)


def ask_customer_outcomes(
    user: Any, delivered: Sequence[Delivered], window_days: int
) -> dict[int, CustomerOutcome] | None:
    """``customer_outcomes`` typed for callers: None when no app provides it (figures not known)."""
    if not customer_outcomes.provided:
        return None
    return customer_outcomes.ask(user, list(delivered), window_days)
