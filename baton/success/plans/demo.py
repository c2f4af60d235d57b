"""The demo's success plans, NPS answers and health history: a plan with milestones for some of the
CSM's customers, NPS answers from a few, and five weekly health snapshots so the trend shows.
Idempotent: plans and answers are skipped when some exist; snapshots are rewritten per day."""

from __future__ import annotations

import datetime as dt
import random

from baton.core.models import User
from baton.success.health import scoring
from baton.success.health.models import NpsResponse
from baton.success.plans import services
from baton.success.plans.models import SuccessPlan

MILESTONES = [("킥오프 미팅", -40), ("데이터 이관", -15), ("사용자 교육", 10), ("전사 확산", 45)]


def seed_plans_and_health(
    rng: random.Random, today: dt.date, admin: User, csm: User | None
) -> dict[str, int]:
    customers = list(scoring.customer_accounts().order_by("id")[:20])
    plans = answers = 0
    if not SuccessPlan.objects.exists():
        for account in customers[:6]:
            owner = csm or admin
            plan = services.create_plan(
                actor=admin, account=account, title="도입 성공 계획", goal="6개월 안에 전사 사용", owner=owner
            )
            for title, offset in MILESTONES:
                milestone = services.add_milestone(
                    plan, actor=admin, title=title, due_date=today + dt.timedelta(days=offset), owner=owner
                )
                if offset < 0 and rng.random() < 0.7:
                    services.set_milestone_done(
                        milestone, actor=admin, done=True, today=today + dt.timedelta(days=offset)
                    )
            plans += 1
    if not NpsResponse.objects.exists():
        for account in customers[::2]:
            scoring.record_nps(
                actor=admin,
                account=account,
                score=rng.choice([3, 6, 7, 8, 9, 9, 10]),
                answered_on=today - dt.timedelta(days=rng.randint(5, 200)),
            )
            answers += 1
    snapshots = sum(
        scoring.snapshot_health(today - dt.timedelta(days=7 * weeks)) for weeks in range(4, -1, -1)
    )
    return {"plans": plans, "nps": answers, "health_snapshots": snapshots}
