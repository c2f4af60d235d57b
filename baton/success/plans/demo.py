"""The demo's success plans, NPS answers and health history: a plan with milestones for some of the
CSM's customers, NPS answers from a few, the CSM's check-in calls and review minutes over the last
quarter (what the engagement component reads), and five weekly health snapshots so the trend shows.
Idempotent: plans, answers and check-ins are skipped when some exist; snapshots are rewritten per day."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from baton.activities.models import Activity
from baton.activities.services import create_activity
from baton.core.models import User
from baton.success.health import scoring
from baton.success.health.models import NpsResponse
from baton.success.plans import services
from baton.success.plans.models import SuccessPlan

CHECK_INS = [
    (Activity.Kind.CALL, "정기 점검 통화", "사용 현황과 불편 사항을 확인했습니다."),
    (Activity.Kind.MINUTES, "분기 사업 리뷰(QBR)", "도입 효과를 함께 검토하고 다음 분기 목표를 정했습니다."),
    (Activity.Kind.CALL, "갱신 사전 협의", "갱신 일정과 추가 사용자 계획을 들었습니다."),
]
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
    check_ins = 0 if Activity.objects.filter(subject=CHECK_INS[0][1]).exists() else _check_ins(rng, admin)
    snapshots = sum(
        scoring.snapshot_health(today - dt.timedelta(days=7 * weeks)) for weeks in range(4, -1, -1)
    )
    return {"plans": plans, "nps": answers, "check_ins": check_ins, "health_snapshots": snapshots}


def _check_ins(rng: random.Random, admin: User) -> int:
    """Most customers hear from their CSM every few weeks; some have gone quiet for a while."""
    made = 0
    now = timezone.now()
    for account in scoring.customer_accounts().select_related("csm", "owner").order_by("id"):
        actor = account.csm or account.owner or admin
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            kind, subject, body = rng.choice(CHECK_INS)
            when = now - dt.timedelta(days=rng.randint(2, 80), hours=rng.randint(0, 6))
            create_activity(
                actor=actor, record=account, kind=kind, subject=subject, body=body, completed_at=when
            )
            made += 1
    return made
