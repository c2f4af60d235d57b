"""The generated world: people, companies and the organisation (users and teams)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from baton.core.choices import CompanySize
from baton.core.korean import brn_check_digit, normalize_company
from baton.core.models import Role, Team, User
from baton.demo import vocab as demo
from bench.generate import BENCH_PREFIX, Sizes

# --- the world ---------------------------------------------------------------------------------


def pick_weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]], k: int) -> list[Any]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=k)


class World:
    """Generates rows in id order. Everything random comes from one ``random.Random(seed)``."""

    def __init__(self, sizes: Sizes, *, seed: int, now: dt.datetime):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.now = now
        self.demo = demo
        self.surnames = [(s, r) for s, r, _ in demo.SURNAMES]
        self.surname_weights = [w for _, _, w in demo.SURNAMES]
        # Precomputed pools: drawing from lists is much faster than composing per row.
        rng = self.rng
        sur = rng.choices(self.surnames, weights=self.surname_weights, k=4000)
        giv = [rng.choice(demo.GIVEN_NAMES) for _ in range(4000)]
        self.people = [(s[0] + g[0], f"{g[1]}.{s[1]}") for s, g in zip(sur, giv, strict=True)]
        self.titles = pick_weighted(rng, demo.CONTACT_TITLES, 1000)
        self.regions = pick_weighted(rng, demo.REGION_WEIGHTS, 1000)

        self.company_sizes = pick_weighted(
            rng,
            [
                (CompanySize.SMALL, 25),
                (CompanySize.MEDIUM, 35),
                (CompanySize.LARGE, 22),
                (CompanySize.ENTERPRISE, 13),
                (CompanySize.MICRO, 5),
            ],
            1000,
        )
        self.span = dt.timedelta(days=730)
        self._key_cache: dict[str, str] = {}

    # -- small helpers --

    def ago(self, fraction: float) -> dt.datetime:
        """A time ``fraction`` of two years before now (0 = now)."""
        return self.now - self.span * fraction

    def company_key(self, name: str) -> str:
        key = self._key_cache.get(name)
        if key is None:
            key = normalize_company(name)
            if len(self._key_cache) < 500_000:
                self._key_cache[name] = key
        return key

    def company_core(self) -> tuple[str, str, str]:
        """(Korean core name, romanised, industry): prefix + optional second prefix + suffix."""
        rng = self.rng
        a, ar = rng.choice(self.demo.COMPANY_PREFIXES)
        suffix, sr, industry = rng.choice(self.demo.COMPANY_SUFFIXES)
        if rng.random() < 0.7:
            b, br = rng.choice(self.demo.COMPANY_PREFIXES)
            if b != a:
                return a + b + suffix, ar + br + sr, industry
        return a + suffix, ar + sr, industry

    @staticmethod
    def legal_form(core: str, r: float) -> str:
        if r < 0.45:
            return f"(주){core}"
        if r < 0.65:
            return f"{core} 주식회사"
        if r < 0.75:
            return f"㈜{core}"
        if r < 0.92:
            return core
        return f"(유){core}"

    @staticmethod
    def brn(serial: int, type_code: int) -> str:
        office, rest = divmod(serial, 10_000)
        first_nine = f"{101 + office % 899:03d}{type_code:02d}{rest:04d}"
        d = first_nine + str(brn_check_digit(first_nine))
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    def mobile(self) -> str:
        r = self.rng.getrandbits(27) % 80_000_000
        return f"010-{2000 + r // 10_000:04d}-{r % 10_000:04d}"


@dataclass
class Org:
    team_ids: list[int]
    user_ids: list[int]
    user_team: dict[int, int]
    field_sales: list[int]
    inside_sales: list[int]
    marketing: list[int]


def build_org(world: World) -> Org:
    """Teams (one ``Bench Sales`` parent over inside and field sales) and users with roles; managers set."""

    sizes = world.sizes
    n_field = max(2, sizes.teams - 8)
    names: list[tuple[str, Role]] = [
        ("Bench Sales", Role.SALES_MANAGER),
        ("Bench Marketing", Role.MARKETING),
        ("Bench Inside Sales 1", Role.INSIDE_SALES),
        ("Bench Inside Sales 2", Role.INSIDE_SALES),
        ("Bench Solutions", Role.SOLUTION_ARCHITECT),
        ("Bench Partners", Role.PARTNER_MANAGER),
        ("Bench Operations", Role.OPERATIONS),
        ("Bench Customer Success", Role.CUSTOMER_SUCCESS),
    ] + [(f"Bench Field Sales {i + 1:02d}", Role.FIELD_SALES) for i in range(n_field)]
    sales = Team.objects.create(name=names[0][0])
    teams = [sales] + [
        Team.objects.create(
            name=name, parent=sales if role in (Role.INSIDE_SALES, Role.FIELD_SALES) else None
        )
        for name, role in names[1:]
    ]
    # Field and inside sales get most people; everyone else a handful.
    weights = [1 if role not in (Role.FIELD_SALES, Role.INSIDE_SALES) else 3 for _, role in names]
    per_team = [max(2, round(sizes.users * w / sum(weights))) for w in weights]
    password = make_password(None)  # unusable: the benchmark logs in with force_login
    users = []
    for index, (team, (_, role), count) in enumerate(zip(teams, names, per_team, strict=True)):
        for j in range(count):
            name, _local = world.people[(index * 37 + j) % len(world.people)]
            users.append(
                User(
                    username=f"{BENCH_PREFIX}t{index + 1:02d}_u{j + 1:02d}",
                    display_name=name,
                    role=role,
                    team=team,
                    password=password,
                    email=f"{BENCH_PREFIX}t{index + 1:02d}_u{j + 1:02d}@bench.test",
                )
            )
    users.append(
        User(
            username=f"{BENCH_PREFIX}admin",
            display_name="벤치 관리자",
            role=Role.ADMIN,
            password=password,
            is_staff=True,
            is_superuser=True,
            email="bench_admin@bench.test",
        )
    )
    User.objects.bulk_create(users, batch_size=1000)
    saved = {u.username: u for u in User.objects.filter(username__startswith=BENCH_PREFIX)}
    for index, team in enumerate(teams):
        team.manager = saved[f"{BENCH_PREFIX}t{index + 1:02d}_u01"]
        team.save(update_fields=["manager"])
    by_role: dict[str, list[int]] = {}
    user_team: dict[int, int] = {}
    for u in saved.values():
        if u.team_id:
            by_role.setdefault(u.role, []).append(u.pk)
            user_team[u.pk] = u.team_id
    for ids in by_role.values():
        ids.sort()
    return Org(
        team_ids=[t.pk for t in teams],
        user_ids=sorted(user_team),
        user_team=user_team,
        field_sales=by_role[Role.FIELD_SALES],
        inside_sales=by_role[Role.INSIDE_SALES],
        marketing=by_role[Role.MARKETING],
    )


LEAD_STATUSES = [
    ("new", 20),
    ("working", 18),
    ("nurturing", 20),
    ("qualified", 8),
    ("disqualified", 20),
    ("converted", 14),
]
LEAD_SOURCES = [
    ("web_form", 30),
    ("event", 22),
    ("inbound_call", 8),
    ("business_card", 10),
    ("referral", 6),
    ("partner", 6),
    ("outbound", 10),
    ("import", 6),
    ("api", 2),
]
OPP_STAGES = [
    ("considering", 18),
    ("evaluating", 15),
    ("deciding", 12),
    ("purchasing", 10),
    ("won", 20),
    ("lost", 15),
    ("no_decision", 10),
]
