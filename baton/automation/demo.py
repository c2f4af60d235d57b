"""Demo data of the automation app: three rules an administrator of the demo company would write."""

from __future__ import annotations

from typing import Any

from baton.core.models import Role, User
from baton.deals.models import Stage

from . import engine, services
from .models import Rule

RULES: list[dict[str, Any]] = [
    {
        "name": "‘구매 결정’ 단계 진입 → 팀장에게 검토 과제",
        "object_kind": "opportunity",
        "trigger": "stage_entered",
        "trigger_value": "deciding",
        "condition": "",
        "actions": [
            {
                "type": "create_task",
                "subject": "가격·조건 협상 검토",
                "assignee": "manager",
                "due_in_days": 2,
            },
            {"type": "follow", "user": "manager"},
        ],
        "sequence": 10,
    },
    {
        "name": "웹 리드 점수 70 이상 → 라우팅으로 배정",
        "object_kind": "lead",
        "trigger": "form_submission",
        "condition": "score >= 70",
        "actions": [{"type": "assign_owner"}],
        "sequence": 20,
    },
    {
        "name": "마감 3일 전 → 담당자에게 알림",
        "object_kind": "opportunity",
        "trigger": "date_relative",
        "trigger_field": "expected_close_date",
        "offset_days": -3,
        "condition": "!is_closed",
        "actions": [
            {"type": "notify", "user": "owner", "text": "예상 마감 3일 전입니다: 다음 단계를 확인하세요."}
        ],
        "sequence": 30,
    },
]


def seed(stdout: Any = None) -> dict[str, int]:
    """Idempotent: does nothing when rules exist. Runs today's time-based rule once so the log and the
    records show runs."""
    if Rule.objects.exists():
        return {"rules": 0, "runs": 0}
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return {"rules": 0, "runs": 0}
    made = 0
    for values in RULES:
        if values.get("trigger_value") and not Stage.objects.filter(key=values["trigger_value"]).exists():
            continue
        services.save_rule(None, actor=admin, values={**values, "enabled": True})
        made += 1
    queued = engine.sweep_time_rules()
    engine.process_due(worker="demo")
    if stdout is not None:
        stdout.write(f"automation: {made} rules, {len(queued)} runs")
    return {"rules": made, "runs": len(queued)}
