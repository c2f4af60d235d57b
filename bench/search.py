"""Search and write latency in-process, with the token index and without it, in one run.

    python -m bench.search [--iterations 20] [--json out.json]

Search: what ``/leads/?search=`` runs (the count, capped, and the first page) for a two-syllable, a
three-syllable and an initial-consonant (초성) term taken from the data, once through the list's
search (token index, ``core/textsearch.py``) and once as the list searched before it
(``icontains`` over the same fields, no tokens), as an administrator (sees everything) and as a rep.
Initial consonants had no search before, so that row has no "before".
Writes: create a lead and log an interaction through the services (as the views and the API do),
p50/p95 and the number of queries of one call. Rows the benchmark writes are deleted at the end.
Load data first with ``python -m bench.generate``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.run import percentile, pick_users


def timed(fn: Callable[[], Any], iterations: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def pick_terms(user: Any) -> dict[str, str]:
    """Terms a person would type, from the data: a two-syllable given name, a three-syllable full
    name, and the initial consonants of a company name."""
    from baton.core.textsearch import initials
    from baton.leads.models import Lead

    names = list(
        Lead.objects.visible_to(user).exclude(company_key="").values_list("name", "company_key")[:200]
    )
    three = next((n for n, _ in names if len(n) == 3 and all("가" <= c <= "힣" for c in n)), "김민준")
    company = next(
        (k for _, k in names if len(k) >= 3 and all("가" <= c <= "힣" for c in k[:3])), "한빛소프트"
    )
    return {"two syllables": three[1:], "three syllables": three, "initials (초성)": initials(company[:3])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    from bench.generate import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.db.models import Q

    from baton.core.listing import apply_spec, paginate
    from baton.leads.models import Lead, LeadInteraction
    from baton.leads.queries import LEAD_LIST
    from baton.leads.services import create_lead, log_interaction

    settings.DEBUG = False
    rep, admin = pick_users()
    terms = pick_terms(rep)
    print(
        f"Search and writes on {connection.vendor} ({connection.settings_dict['NAME']}): "
        f"{Lead.objects.count():,} leads; {args.iterations} iterations; terms {terms}\n"
    )

    def new_way(user: Any, term: str) -> Callable[[], Any]:
        def run() -> Any:
            qs, _ = apply_spec(Lead.objects.visible_to(user), LEAD_LIST, {"search": term})
            return paginate(qs, 1, 50)

        return run

    def old_way(user: Any, term: str) -> Callable[[], Any]:
        def run() -> Any:
            cond = Q()
            for lookup in LEAD_LIST.search_fields:
                cond |= Q(**{lookup: term})
            qs = Lead.objects.visible_to(user).filter(cond).order_by("-created_at", "-id")
            return paginate(qs, 1, 50)

        return run

    rows: list[dict[str, Any]] = []
    header = f"{'search':<18} {'user':<6} {'hits':>6} {'before p50':>11} "
    header += f"{'after p50':>10} {'after p95':>10} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for label, term in terms.items():
        for who, user in (("admin", admin), ("rep", rep)):
            after = timed(new_way(user, term), args.iterations)
            hits = new_way(user, term)().count
            before: list[float] = []
            if not label.startswith("initials"):
                before = timed(old_way(user, term), args.iterations)
            b50 = percentile(before, 50) if before else None
            a50, a95 = percentile(after, 50), percentile(after, 95)
            ratio = f"{b50 / a50:6.1f}x" if b50 else "    new"
            b_text = f"{b50:11.1f}" if b50 is not None else f"{'—':>11}"
            print(f"{label:<18} {who:<6} {hits:>6} {b_text} {a50:10.1f} {a95:10.1f} {ratio:>7}")
            rows.append(
                {
                    "case": label,
                    "term": term,
                    "user": who,
                    "hits": hits,
                    "before_p50_ms": b50,
                    "after_p50_ms": a50,
                    "after_p95_ms": a95,
                }
            )

    created_before = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counter = iter(range(10**9))
    lead = create_lead(actor=rep, name="벤치 검색 리드", company="(주)벤치마크")

    def make_lead() -> Any:
        i = next(counter)
        return create_lead(
            actor=rep, name=f"벤치 검색 리드 {i}", company=f"(주)벤치마크테크 {i % 97}", phone="010-1234-5678"
        )

    def log_call() -> Any:
        return log_interaction(lead, actor=rep, kind="call", note="벤치 통화")

    print(f"\n{'write':<18} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    try:
        for label, fn in (("create lead", make_lead), ("log interaction", log_call)):
            samples = timed(fn, args.iterations)
            settings.DEBUG = True
            reset_queries()
            fn()
            queries = len(connection.queries)
            settings.DEBUG = False
            print(f"{label:<18} {percentile(samples, 50):8.1f} {percentile(samples, 95):8.1f} {queries:>8}")
            rows.append(
                {
                    "case": label,
                    "p50_ms": percentile(samples, 50),
                    "p95_ms": percentile(samples, 95),
                    "queries": queries,
                }
            )
    finally:
        LeadInteraction.objects.filter(lead__pk__gt=created_before).delete()
        Lead.objects.filter(pk__gt=created_before, name__startswith="벤치 검색 리드").delete()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"vendor": connection.vendor, "results": rows}, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
