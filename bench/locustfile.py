"""Locust users doing a field-sales rep's day against Baton (issue 17's load test).

Run through ``python -m bench.load`` (it prepares the signed-in reps, starts gunicorn and runs Locust
headless). This file does not import Django: Locust's users only speak HTTP. The reps come from the
JSON plan that ``bench.load`` writes (``BATON_LOCUST_PLAN``): a session cookie and an API token each,
the leads they may open, a two-syllable company word to search for, and open deals with two open
stages to move them between.

A day, repeated, with think time between any two actions: the lead list, one lead, log a call on it (API),
read a deal and move it to its other open stage (API), a two-syllable search. A move refused with
409 (another simulated user moved the same deal first) is an answered request, not an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import urllib.parse

from locust import HttpUser, between, task

with open(os.environ["BATON_LOCUST_PLAN"], encoding="utf-8") as fh:
    PLAN: list[dict] = json.load(fh)
_next_rep = itertools.count()


class Rep(HttpUser):
    # Think time between two actions (a person reads the page before the next click).
    wait_time = between(
        float(os.environ.get("BATON_LOCUST_THINK_MIN", "0.5")),
        float(os.environ.get("BATON_LOCUST_THINK_MAX", "1.5")),
    )

    def on_start(self) -> None:
        self.rep = PLAN[next(_next_rep) % len(PLAN)]
        self.rng = random.Random(self.rep["username"])
        cookie_name, _, value = self.rep["cookie"].partition("=")
        self.client.cookies.set(cookie_name, value)
        self.api = {"Authorization": f"Bearer {self.rep['token']}"}

    @task
    def day(self) -> None:
        self.client.get("/leads/", name="lead list")
        if self.rep["leads"]:
            self.wait()
            lead = self.rng.choice(self.rep["leads"])
            self.client.get(f"/leads/{lead}/", name="open lead")
            self.wait()
            self.client.post(
                "/api/v1/activities",
                json={
                    "kind": "call",
                    "subject": "부하 테스트 통화",
                    "record_type": "lead",
                    "record_id": lead,
                },
                headers=self.api,
                name="log a call",
            )
        if self.rep["deals"]:
            self.wait()
            deal, stages = self.rng.choice(self.rep["deals"])
            with self.client.get(
                f"/api/v1/opportunities/{deal}", headers=self.api, name="open deal (API)", catch_response=True
            ) as response:
                try:
                    current = response.json()
                    version = current["version"]
                except (ValueError, KeyError):
                    response.failure(f"no deal JSON (HTTP {response.status_code})")
                    current = None
            if current is not None:
                self.wait()
                target = stages[1] if current.get("stage_id") == stages[0] else stages[0]
                with self.client.post(
                    f"/api/v1/opportunities/{deal}/move",
                    json={"stage_id": target, "version": version},
                    headers=self.api,
                    name="move deal",
                    catch_response=True,
                ) as response:
                    if response.status_code == 409:
                        response.success()  # another simulated rep moved it first: answered, not failed
        self.wait()
        self.client.get("/leads/?search=" + urllib.parse.quote(self.rep["search"]), name="search")
