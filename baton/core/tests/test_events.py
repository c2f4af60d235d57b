"""The in-process event list: typed payloads, ordered subscribers, no re-entrant chains."""

from dataclasses import dataclass

import pytest

from baton.core.events import REGISTRY, Event, record_changed


@dataclass(frozen=True)
class Ping:
    n: int


def test_subscribers_run_in_order_and_once_each():
    event: Event[Ping] = Event("test_ping_order", "test only")
    seen: list[tuple[str, int]] = []

    def first(p: Ping) -> None:
        seen.append(("first", p.n))

    def second(p: Ping) -> None:
        seen.append(("second", p.n))

    event.subscribe(first)
    event.subscribe(second)
    event.subscribe(first)  # ready() may run twice: no double delivery
    event.emit(Ping(7))
    assert seen == [("first", 7), ("second", 7)]
    REGISTRY.pop("test_ping_order")


def test_a_subscriber_cannot_emit_its_own_event_again():
    event: Event[Ping] = Event("test_ping_loop", "test only")

    def loops(p: Ping) -> None:
        event.emit(Ping(p.n + 1))

    event.subscribe(loops)
    with pytest.raises(RuntimeError, match="test_ping_loop"):
        event.emit(Ping(1))
    # the guard is released after the failure: a later emit runs again (and fails the same way)
    event.unsubscribe(loops)
    event.emit(Ping(2))
    REGISTRY.pop("test_ping_loop")


def test_declared_events_are_listed_in_the_registry():
    assert REGISTRY["record_changed"] is record_changed
