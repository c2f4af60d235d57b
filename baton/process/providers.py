"""Facts other apps add to The Model's criteria (e.g. ``lead_score >= 60``, ``handoff_readiness >= 80``).

An app registers a provider in its ``AppConfig.ready``: the fact names with sample values (they are
what criteria may reference, and what validation checks against) and a loader that returns the facts
of many records at once. The engine only calls a loader when a criterion it evaluates uses one of its
facts, so an unused provider costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from baton.process.criteria import FACT_SAMPLES

Loader = Callable[[Sequence[int]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class FactProvider:
    kind: str
    samples: dict[str, Any]
    load: Loader


_PROVIDERS: dict[str, list[FactProvider]] = {}


def register_fact_provider(kind: str, samples: dict[str, Any], load: Loader) -> None:
    clash = set(samples) & set(FACT_SAMPLES[kind]) - {
        name for p in _PROVIDERS.get(kind, []) for name in p.samples
    }
    if clash:
        raise ValueError(f"facts {sorted(clash)} of {kind} are already defined by the process engine")
    providers = [p for p in _PROVIDERS.get(kind, []) if set(p.samples) != set(samples)]
    providers.append(FactProvider(kind, dict(samples), load))
    _PROVIDERS[kind] = providers
    FACT_SAMPLES[kind].update(samples)


def providers_for(kind: str) -> list[FactProvider]:
    return _PROVIDERS.get(kind, [])
