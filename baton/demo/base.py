"""The demo world's foundation: the random helpers, the seed summary and the back-dating tools.

Everything is written through the domain services, so the change log, versions and derived fields
(name keys, domains, teams) are exactly what real use produces. Services stamp "now" on what they
write; to spread the world over a year, the seeder then back-dates the timestamps it knows about
(``created_at``, ``updated_at``, ``stage_changed_at``, ``closed_at``, ``converted_at``, interaction
``occurred_at`` and the change-log ``time`` of each write) with queryset ``.update()`` calls.
That rewriting of history is for demo data only: real records are never back-dated.

The same seed always produces the same world (``random.Random(seed)``); only "now" moves.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Max
from django.utils import timezone

from baton.accounts.models import Account
from baton.core.choices import CompanySize, Industry, Region
from baton.core.korean import brn_check_digit, format_brn, normalize_company
from baton.core.models import ChangeLog, Team, User
from baton.core.phones import parse_phone
from baton.demo.vocab import (
    ADDRESSES,
    AREA_CODES,
    COMPANY_PREFIXES,
    COMPANY_SUFFIXES,
    GIVEN_NAMES,
    PUBLIC_BODIES,
    REGION_WEIGHTS,
    SURNAMES,
)
from baton.leads.models import Campaign

DEFAULT_SEED = 2026


def make_brn(rng: random.Random, kind: str = "corp") -> str:
    """A 사업자등록번호 with a valid check digit: office code, type code (81/86/87 corporations,
    82 non-profits, 83 public bodies, 01-79 sole proprietors), serial, check digit."""
    office = rng.randint(101, 899)
    type_code = {"corp": rng.choice((81, 81, 81, 86, 87)), "public": 83, "nonprofit": 82}.get(
        kind
    ) or rng.randint(1, 79)
    serial = rng.randint(0, 9999)
    first_nine = f"{office:03d}{type_code:02d}{serial:04d}"
    return format_brn(first_nine + str(brn_check_digit(first_nine)))


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=1)[0]


def allocate(total: int, mix: Sequence[tuple[str, float]], minimum: int = 1) -> list[str]:
    """Exactly ``total`` labels in the proportions of ``mix``, every label at least ``minimum`` times."""
    counts = {label: max(minimum, round(total * frac)) for label, frac in mix}
    biggest = max(counts, key=lambda k: counts[k])
    counts[biggest] += total - sum(counts.values())
    return [label for label, n in counts.items() for _ in range(n)]


@dataclass
class Company:
    name: str
    core: str
    domain: str
    industry: str
    region: str
    size: str
    brn: str
    phone: str
    address: str


@dataclass
class SeedSummary:
    users: int = 0
    teams: int = 0
    accounts: int = 0
    contacts: int = 0
    campaigns: int = 0
    leads: int = 0
    interactions: int = 0
    opportunities: int = 0
    changes: int = 0
    stays: int = 0
    handoffs: int = 0
    recycles: int = 0
    seconds: float = 0.0
    lead_status: dict[str, int] = field(default_factory=dict)
    opportunity_outcome: dict[str, int] = field(default_factory=dict)


class WorldBase:
    """The generator's state and helpers; the topic modules add the builders.

    ``scale`` multiplies the record counts (1.0: ~80 accounts, ~300 leads)."""

    def __init__(self, *, seed: int = DEFAULT_SEED, scale: float = 1.0, now: dt.datetime | None = None):
        self.rng = random.Random(seed)
        self.scale = scale
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.used_keys: set[str] = set()
        self.used_emails: set[str] = set()
        self.accounts: list[Account] = []
        self.companies: dict[int, Company] = {}
        self.account_created: dict[int, dt.datetime] = {}
        self.campaigns: list[tuple[Campaign, dt.datetime]] = []
        self.summary = SeedSummary()
        self._log_mark = 0

    # -- helpers ---------------------------------------------------------------------------------

    def n(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def days_ago(self, low: float, high: float) -> dt.datetime:
        return self.now - dt.timedelta(days=self.rng.uniform(low, high), minutes=self.rng.randint(0, 600))

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        if end <= start:
            return start
        return start + (end - start) * self.rng.random()

    def stamp(self, when: dt.datetime) -> None:
        """Move the change-log rows written since the last stamp to ``when`` (demo back-dating)."""
        ChangeLog.objects.filter(pk__gt=self._log_mark).update(time=when)
        self._log_mark = ChangeLog.objects.aggregate(m=Max("pk"))["m"] or self._log_mark

    def person(self) -> tuple[str, str]:
        """A Korean name and an e-mail local part (jihoon.kim)."""
        surname, sroman = weighted(self.rng, [((s, r), w) for s, r, w in SURNAMES])
        given, groman = self.rng.choice(GIVEN_NAMES)
        return surname + given, f"{groman}.{sroman}"

    def email(self, local: str, domain: str) -> str:
        candidate = f"{local}@{domain}"
        n = 2
        while candidate in self.used_emails:
            candidate = f"{local}{n}@{domain}"
            n += 1
        self.used_emails.add(candidate)
        return candidate

    def mobile(self) -> str:
        # Some 010 prefixes are not assigned (e.g. 010-597x): draw again until the number is one a
        # Korean carrier could have given out, as the phone validation of every form requires.
        while True:
            number = f"010-{self.rng.randint(2000, 9999)}-{self.rng.randint(0, 9999):04d}"
            if parse_phone(number) is not None:
                return number

    def company(self) -> Company:
        rng = self.rng
        while True:
            if rng.random() < 0.08:
                name, domain, industry, region = rng.choice(PUBLIC_BODIES)
                core, size = name, rng.choice([CompanySize.MEDIUM, CompanySize.LARGE])
                brn = make_brn(rng, "nonprofit" if industry == Industry.EDUCATION else "public")
            else:
                prefix, proman = rng.choice(COMPANY_PREFIXES)
                suffix, sroman, industry = rng.choice(COMPANY_SUFFIXES)
                core = prefix + suffix
                form = rng.choices(
                    ["(주){}", "{} 주식회사", "㈜{}", "{}(주)", "{}", "(유){}"],
                    weights=[45, 20, 10, 5, 15, 5],
                )[0]
                name = form.format(core)
                domain = f"{proman}{sroman}." + rng.choice(["co.kr", "co.kr", "com", "kr"])
                region = weighted(rng, REGION_WEIGHTS)
                size = weighted(
                    rng,
                    [
                        (CompanySize.SMALL, 25),
                        (CompanySize.MEDIUM, 35),
                        (CompanySize.LARGE, 22),
                        (CompanySize.ENTERPRISE, 13),
                        (CompanySize.MICRO, 5),
                    ],
                )
                brn = make_brn(rng, "corp")
            key = normalize_company(name)
            if key in self.used_keys:
                continue
            self.used_keys.add(key)
            area = AREA_CODES.get(region, "02")
            phone = f"{area}-{rng.randint(200, 999)}{rng.randint(0, 9)}-{rng.randint(0, 9999):04d}"
            address = f"{rng.choice(ADDRESSES.get(region, ADDRESSES[Region.SEOUL]))} {rng.randint(1, 300)}"
            return Company(name, core, domain, industry, region, size, brn, phone, address)

    def ae_for(self, company: Company) -> User:
        public = company.industry in (Industry.PUBLIC, Industry.EDUCATION) or company.size in (
            CompanySize.MICRO,
            CompanySize.SMALL,
        )
        return self.users[self.rng.choice(["ae3", "ae4"] if public else ["ae1", "ae2"])]

    def backdate(self, model: type[models.Model], pk: int, **values: Any) -> None:
        model._default_manager.filter(pk=pk).update(**values)
