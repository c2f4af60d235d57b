"""The load test's report (``bench/load.py``): Locust's CSV files read back into the summary and the
ramp table. Locust itself is not run here (it is a dev tool that drives a running server)."""

from __future__ import annotations

import csv

from bench.load import ramp_table, summarise

HISTORY_FIELDS = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Total Request Count"]
HISTORY_FIELDS += ["50%", "95%"]
STATS_FIELDS = ["Type", "Name", "Request Count", "Failure Count", "50%", "95%"]


def _history_row(second: int, users: int, rps: float, p50: int, p95: int, total: int) -> dict[str, object]:
    return {
        "Timestamp": 1_700_000_000 + second,
        "User Count": users,
        "Type": "",
        "Name": "Aggregated",
        "Requests/s": rps,
        "Total Request Count": total,
        "50%": p50,
        "95%": p95,
    }


def test_summary_and_ramp_from_locust_csv(tmp_path):
    prefix = tmp_path / "run"
    with open(f"{prefix}_stats.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=STATS_FIELDS)
        writer.writeheader()
        writer.writerow({"Type": "GET", "Name": "lead list", "Request Count": 90, "Failure Count": 0})
        writer.writerow({"Type": "", "Name": "Aggregated", "Request Count": 120, "Failure Count": 1})
    with open(f"{prefix}_stats_history.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HISTORY_FIELDS)
        writer.writeheader()
        writer.writerow(_history_row(0, 2, 0, 0, 0, 0))  # nothing answered yet: left out
        for second in range(1, 13):
            # Per-request rows of one action are not the aggregate and are ignored.
            writer.writerow({**_history_row(second, 1, 1, 1, 1, 1), "Name": "lead list", "Type": "GET"})
            writer.writerow(_history_row(second, 4 * second, 2.5 * second, 10 * second, 20 * second, second))

    stats, history = summarise(prefix)
    assert [r["Name"] for r in stats] == ["lead list", "Aggregated"]
    assert len(history) == 13  # the aggregate rows only

    ramp = ramp_table(history, buckets=4)
    # 12 answered seconds in 4 buckets: every third second, ending on the last one.
    assert ramp == [
        (12, 7.5, 30.0, 60.0),
        (24, 15.0, 60.0, 120.0),
        (36, 22.5, 90.0, 180.0),
        (48, 30.0, 120.0, 240.0),
    ]


def test_ramp_of_a_run_that_answered_nothing_is_empty():
    assert ramp_table([]) == []
    assert ramp_table([_history_row(0, 5, 0, 0, 0, 0)]) == []  # type: ignore[list-item]
