"""``baton seed_activities``: the activities part of the demo data (run after ``seed_demo``'s records).

For each of a few reps with records: a customer visit today and meetings this week (with reminders),
calls, meeting minutes with "?" items (one answered), tasks overdue and due, a request to a
colleague, comments with an @mention, and follows. Idempotent: a second run adds nothing.

The demo world comes with a year of history (stage moves, owner changes, conversions). Its follower
notifications are delivered here and those about changes older than a day marked read, so that a
freshly seeded demo user opens a bell with today's news rather than dozens of last year's.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from baton.activities import services
from baton.activities.changes import ANNOUNCED_ACTIONS, RECORD_MODELS, notify_followers
from baton.activities.models import Activity, Notification
from baton.core.audit import audit_context, new_job_id
from baton.core.models import ChangeLog, User
from baton.deals.models import Opportunity

MARK = "[demo]"
# Seeded history older than this is old news: its notifications arrive already read.
HISTORY_READ_AFTER = dt.timedelta(days=1)


def settle_history(now: dt.datetime | None = None) -> int:
    """Deliver the follower notifications of the seeded history now and mark those about changes
    older than ``HISTORY_READ_AFTER`` read; returns how many were marked. Idempotent: the queued
    ``notify_record_change`` tasks of the same changes later find them made and add nothing."""
    now = now or timezone.now()
    old = list(
        ChangeLog.objects.filter(
            content_type__model__in=sorted(RECORD_MODELS),
            action__in=[*ANNOUNCED_ACTIONS, ChangeLog.Action.UPDATE, ChangeLog.Action.ASSIGN],
            time__lt=now - HISTORY_READ_AFTER,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    for change_id in old:
        notify_followers(change_id)
    return Notification.objects.filter(change_id__in=old, read_at__isnull=True).update(read_at=now)


class Command(BaseCommand):
    help = "Add demo activities, minutes with '?' items, tasks, comments and follows to the demo records."

    def handle(self, *args, **options):
        if (
            Activity.objects.filter(outcome__startswith=MARK).exists()
            or Activity.objects.filter(subject__startswith="고객 방문:").exists()
        ):
            self.stdout.write("activities demo data already present")
            return
        reps = list(
            User.objects.filter(is_active=True, username__in=["ae1", "ae2", "ae3", "ae4"]).order_by(
                "username"
            )
        )
        manager = User.objects.filter(username="manager").first()
        colleague = User.objects.filter(username="admin").first() or manager
        now = timezone.localtime()
        today9 = now.replace(hour=9, minute=0, second=0, microsecond=0)
        made = 0
        with audit_context(job_id=new_job_id(), source="import"), transaction.atomic():
            for i, rep in enumerate(reps):
                opps = list(
                    Opportunity.objects.filter(owner=rep, account__isnull=False)
                    .select_related("account", "primary_contact")
                    .order_by("id")[:3]
                )
                if not opps:
                    continue
                opp = opps[0]
                account = opp.account
                contact = opp.primary_contact
                services.create_activity(
                    actor=rep,
                    record=contact or account,
                    kind=Activity.Kind.EVENT,
                    event_type=Activity.EventType.VISIT,
                    subject=f"고객 방문: {account.name}",
                    location=account.name,
                    preparation="견적 범위와 일정 확인. 기술 담당자 참석 여부 확인.",
                    start_at=today9 + dt.timedelta(hours=2 + i),
                    end_at=today9 + dt.timedelta(hours=3 + i),
                    remind_minutes=30,
                )
                for d, other in enumerate(opps[1:], start=1):
                    services.create_activity(
                        actor=rep,
                        record=other,
                        kind=Activity.Kind.EVENT,
                        event_type=Activity.EventType.MEETING,
                        subject=f"제안서 검토: {other.name}",
                        start_at=today9 + dt.timedelta(days=d, hours=5),
                        end_at=today9 + dt.timedelta(days=d, hours=6),
                        remind_minutes=15,
                    )
                services.create_activity(
                    actor=rep,
                    record=contact or account,
                    kind=Activity.Kind.CALL,
                    subject="후속 통화",
                    body="다음 분기 예산 확보 확인.",
                    outcome=f"{MARK} 예산 확인",
                )
                minutes = services.create_activity(
                    actor=rep,
                    record=opp,
                    kind=Activity.Kind.MINUTES,
                    subject=f"회의록: {opp.name}",
                    start_at=today9 - dt.timedelta(days=2),
                    attendees_external=contact.name if contact else "",
                    agenda="요구사항 정리\n일정",
                    decisions="PoC 진행",
                    next_steps=(
                        "견적서 송부\n? 보안 심사 기간은 얼마나 걸리나요\n? 최종 결재권자는 누구인가요"
                    ),
                    attendees=[rep] + ([manager] if manager else []),
                )
                first = minutes.questions.order_by("id").first()
                if first is not None and i % 2 == 0:
                    services.answer_question(first, actor=rep, answer="약 2주 (보안팀 확인)")
                services.create_activity(
                    actor=rep,
                    record=opp,
                    kind=Activity.Kind.TASK,
                    subject="수정 견적서 송부",
                    due_at=now - dt.timedelta(days=1, hours=2),
                )
                services.create_activity(
                    actor=rep,
                    record=account,
                    kind=Activity.Kind.TASK,
                    subject="레퍼런스 고객 목록 준비",
                    due_at=now + dt.timedelta(hours=4),
                )
                if colleague is not None and colleague.pk != rep.pk:
                    services.create_request(
                        opp,
                        actor=rep,
                        assignee=colleague,
                        subject="제안서용 회사 소개서",
                        due_at=now + dt.timedelta(days=3),
                    )
                    services.set_following(account, user=colleague, follow=True)
                if manager is not None:
                    services.set_following(opp, user=manager, follow=True)
                    services.post_comment(
                        opp,
                        actor=manager,
                        text=f"@{rep.username} 보안 심사 일정 공유 부탁해요.",
                    )
                services.post_comment(account, actor=rep, text="킥오프 잘 마쳤습니다. PoC 범위 합의.")
                made += 1
        read = settle_history()
        self.stdout.write(
            f"activities demo data for {made} rep(s); {read} notification(s) of older history marked read"
        )
