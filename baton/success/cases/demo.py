"""The demo's support desk: cases on the customers under contract over the last two weeks, in every
status and priority, with replies and internal notes, some paused while waiting on the customer, some
past their SLA (flagged by the sweep, as the worker would). Idempotent: skipped when cases exist."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from baton.core.models import User
from baton.success.cases import services
from baton.success.cases.models import Case
from baton.success.models import Contract

SUBJECTS = [
    ("ERP 로그인이 되지 않습니다", "problem"),
    ("월말 결산 보고서 오류", "problem"),
    ("클라우드 서버 접속 불가", "incident"),
    ("사용자 5명 추가 요청", "request"),
    ("권한 설정 방법 문의", "question"),
    ("API 연동 시간 초과", "problem"),
    ("세금계산서 양식 변경 요청", "request"),
    ("백업 복원 문의", "question"),
    ("모바일 앱 알림 누락", "problem"),
    ("전자결재 화면 느림", "incident"),
    ("라이선스 갱신 절차 문의", "question"),
    ("신규 법인 추가 설정", "request"),
]
PRIORITIES = ["urgent", "high", "high", "normal", "normal", "normal", "low"]


def seed_cases(rng: random.Random, admin: User, csm: User | None) -> int:
    if Case.objects.exists():
        return 0
    now = timezone.now()
    contracts = list(
        Contract.objects.filter(status=Contract.Status.ACTIVE).select_related("account").order_by("id")[:12]
    )
    made = 0
    for i, (contract, (subject, category)) in enumerate(zip(contracts, SUBJECTS, strict=False)):
        opened = now - dt.timedelta(days=rng.randint(0, 13), hours=rng.randint(0, 8))
        owner = csm or admin
        case = services.open_case(
            actor=admin,
            account=contract.account,
            contract=contract,
            contact=contract.account.contacts.order_by("id").first(),
            subject=subject,
            description="고객 포털로 접수된 문의입니다.",
            priority=PRIORITIES[i % len(PRIORITIES)],
            category=category,
            owner=owner,
            team=owner.team,
            now=opened,
        )
        made += 1
        step = i % 4
        if step == 0:
            continue  # new, not answered yet
        later = min(opened + dt.timedelta(hours=rng.randint(1, 30)), now)
        services.add_comment(case, actor=owner, body="확인 중입니다. 로그를 보내 주시겠어요?", now=later)
        services.add_comment(case, actor=owner, body="재현 환경 준비 필요", is_internal=True, now=later)
        case = services.change_status(case, actor=owner, status="in_progress", now=later)
        if step == 2:
            services.change_status(case, actor=owner, status="waiting", now=later)
        elif step == 3:
            done = min(later + dt.timedelta(hours=rng.randint(2, 40)), now)
            case = services.change_status(case, actor=owner, status="resolved", now=done)
            if rng.random() < 0.5:
                services.change_status(case, actor=owner, status="closed", now=done)
    services.sweep_sla(now)
    return made
