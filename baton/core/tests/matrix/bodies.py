"""Request bodies for the operations that need one."""

from __future__ import annotations

from typing import Any

# Minimal valid bodies (by the world's ids), so that a refusal is about access and not about the input.
BODIES: dict[str, Any] = {
    "POST /custom-fields": lambda ids: {
        "object": "lead",
        "key": "matrix_note",
        "label_ko": "메모",
        "label_en": "Note",
        "type": "text",
    },
    "PATCH /custom-fields/{id}": lambda ids: {"version": 1, "label_en": "Note"},
    "POST /custom-fields/{id}/type": lambda ids: {"type": "long_text"},
    "POST /validation-rules": lambda ids: {
        "object": "lead",
        "name": "매트릭스",
        "expression": "true",
        "message_ko": "x",
        "message_en": "x",
    },
    "PATCH /validation-rules/{id}": lambda ids: {"is_active": False},
    "POST /validation-rules/{id}/test": lambda ids: {"record_id": ids["lead"]},
    "POST /leads": lambda ids: {"name": "박하늘", "company": "누리소프트"},
    "POST /accounts": lambda ids: {"name": "누리소프트 매트릭스"},
    "POST /contacts": lambda ids: {"name": "박하늘"},
    "POST /opportunities": lambda ids: {"name": "매트릭스 건"},
    "PUT /transfer/jobs/{id}/mapping": lambda ids: {"columns": {}},
    "POST /integrations/webhooks": lambda ids: {
        "name": "매트릭스",
        "url": "https://hooks.example.com/baton",
        "events": ["lead.created"],
    },
    "PATCH /integrations/webhooks/{id}": lambda ids: {"name": "매트릭스"},
    "POST /integrations/bulk/{kind}": lambda ids: {"items": [{"name": "매트릭스 벌크"}]},
    "POST /partners/portal/registrations": lambda ids: {
        "customer": "매트릭스 고객",
        "contact_name": "박하늘",
        "product_interest": "ERP",
        "amount": 1000000,
        "close_date": "2030-01-10",
        "evidence": "워크숍",
    },
    "PATCH /partners/portal/opportunities/{id}": lambda ids: {"version": 1, "next_step": "데모"},
    "POST /partners/registrations/{id}/reject": lambda ids: {"reason": "매트릭스"},
    "POST /activities": lambda ids: {"kind": "task", "subject": "매트릭스 할 일"},
    "PATCH /leads/{id}": lambda ids: {"version": 1, "title": "팀장"},
    "PATCH /accounts/{id}": lambda ids: {"version": 1, "region": "seoul"},
    "PATCH /contacts/{id}": lambda ids: {"version": 1, "title": "CIO"},
    "PATCH /opportunities/{id}": lambda ids: {"version": 1, "next_step": "데모"},
    "POST /leads/{id}/interactions": lambda ids: {"kind": "call", "note": "통화"},
    "POST /opportunities/{id}/move": lambda ids: {"stage_id": ids["stage"], "version": 1},
    "POST /opportunities/{id}/line-items": lambda ids: {"product_id": ids["product"]},
    "POST /opportunities/{id}/team-requests": lambda ids: {
        "assignee_id": ids["bob"],
        "subject": "데모 준비",
        "due_date": "2030-01-10",
        "customer_deadline": "2030-01-20",
    },
    "POST /process/records/{kind}/{record_id}/move": lambda ids: {"stage": "mql", "reason": "매트릭스"},
    "POST /delivery/handoffs/{id}/review": lambda ids: {"decision": "accept"},
    "POST /success/contracts/{id}/amendments": lambda ids: {"kind": "upsell", "effective_date": "2026-01-01"},
    "POST /success/contracts/{id}/termination": lambda ids: {"effective_date": "2026-01-01", "reason": "x"},
    "POST /success/renewals/{id}/outcome": lambda ids: {"outcome": "renewed"},
    "POST /success/cases/{id}/status": lambda ids: {"status": "in_progress"},
    "PUT /success/health-weights": lambda ids: {"cases": 30, "engagement": 25, "renewal": 25, "nps": 20},
    "POST /success/accounts/{id}/nps": lambda ids: {"score": 9, "answered_on": "2026-11-01"},
    "POST /success/accounts/{id}/plans": lambda ids: {"title": "매트릭스 계획"},
    "POST /success/plans/{id}/milestones": lambda ids: {"title": "킥오프", "due_date": "2026-11-10"},
    "POST /success/milestones/{id}/completion": lambda ids: {"done": True},
    "POST /success/cases/{id}/comments": lambda ids: {"body": "매트릭스"},
    "PUT /success/sla-policies/{priority}": lambda ids: {
        "first_response_minutes": 960,
        "resolution_minutes": 5400,
    },
    "POST /records/{record_type}/{id}/comments": lambda ids: {"text": "매트릭스"},
    "PUT /scoring/leads/{id}/qualification/{item}": lambda ids: {"answer": True},
    "PUT /scoring/opportunities/{id}/meddpicc/{item}": lambda ids: {"answer": True},
    "POST /scoring/leads/{id}/disqualify": lambda ids: {"reason_id": ids["disqualify_reason"]},
    "POST /scoring/opportunities/{id}/competitors": lambda ids: {"name": "경쟁사"},
    "POST /accounts/{id}/merge": lambda ids: {"source_id": ids["theirs_account"]},
    "POST /contacts/{id}/merge": lambda ids: {"source_id": ids["contact"]},
    "POST /catalog/families": lambda ids: {"name": "매트릭스 제품군"},
    "POST /catalog/products": lambda ids: {"code": "MTX-1", "name": "매트릭스", "family_id": ids["family"]},
    "POST /catalog/price-lists": lambda ids: {"name": "매트릭스 가격표"},
    "POST /insights/forecast/snapshots": lambda ids: {"period": "2026-Q4"},
    "PUT /insights/quotas": lambda ids: {"user_id": ids["bob"], "period": "2026-Q4", "amount": 1},
    "PUT /insights/exchange-rates": lambda ids: {
        "currency": "USD",
        "valid_from": "2026-01-01",
        "krw_per_unit": 1400,
    },
    "POST /insights/reports": lambda ids: {"name": "매트릭스", "definition": {"object": "opportunities"}},
    "POST /privacy/consents/{kind}/{id}": lambda ids: {
        "purpose": "marketing_email",
        "granted": True,
        "channel": "web_form",
    },
    "POST /privacy/retention-rules": lambda ids: {"name": "매트릭스 보존", "target": "lead"},
    "POST /sharing/{kind}/{id}/shares": lambda ids: {"user_id": ids["bob"], "access": "read"},
    "PUT /sharing/defaults/{kind}": lambda ids: {"mode": "team"},
    "POST /automation/rules": lambda ids: {
        "name": "매트릭스 규칙",
        "object_kind": "lead",
        "trigger": "created",
        "actions": [{"type": "notify", "text": "x"}],
    },
    "PUT /automation/rules/{id}": lambda ids: {
        "name": "매트릭스 규칙",
        "object_kind": "lead",
        "trigger": "created",
        "actions": [{"type": "notify", "text": "x"}],
    },
    "POST /automation/dry-run": lambda ids: {
        "name": "매트릭스 규칙",
        "object_kind": "lead",
        "trigger": "created",
        "actions": [{"type": "notify", "text": "x"}],
    },
    "POST /automation/rules/{id}/enabled": lambda ids: {"enabled": True},
    "PUT /insights/reports/{id}/subscription": lambda ids: {"frequency": "weekly"},
    "POST /insights/reports/run": lambda ids: {
        "definition": {"object": "opportunities", "columns": ["name"]}
    },
    # --- import11 ---
    "POST /integrations/web-forms": lambda ids: {"name": "매트릭스 양식"},
    "PATCH /integrations/web-forms/{id}": lambda ids: {"name": "매트릭스"},
    # --- cs13 ---
    "POST /success/contracts/{id}/invoices": lambda ids: {"payment_terms_days": 30},
    "POST /success/invoices/{id}/issue": lambda ids: {"issue_date": "2026-11-01"},
    "POST /success/invoices/{id}/payments": lambda ids: {"amount": "1000", "paid_on": "2026-11-01"},
    "POST /success/invoices/{id}/credit-notes": lambda ids: {
        "amount": "1000",
        "issued_on": "2026-11-01",
        "reason": "매트릭스",
    },
    "POST /success/invoices/{id}/void": lambda ids: {"reason": "매트릭스"},
    "POST /success/accounts/{id}/expansion": lambda ids: {"family_id": ids["family"]},
    "POST /success/accounts/{id}/usage": lambda ids: {
        "day": "2026-11-01",
        "seats_bought": 10,
        "seats_used": 5,
    },
    "POST /success/usage/import": lambda ids: {
        "rows": [{"account_id": ids["account"], "day": "2026-11-01", "seats_bought": 10, "seats_used": 5}]
    },
    # --- partners14 ---
    "POST /partners/partners": lambda ids: {"name": "매트릭스 파트너", "tier": "silver"},
    "PATCH /partners/partners/{id}": lambda ids: {"tier": "gold"},
    "POST /partners/partners/{id}/agreements": lambda ids: {"kind": "reseller", "starts_on": "2026-01-01"},
    "PATCH /partners/agreements/{id}": lambda ids: {"discount_pct": 10},
    "POST /partners/leads/{id}/pass": lambda ids: {"to": "pool"},
    # --- layouts15 ---
    "PUT /page-layouts/{kind}/{role}": lambda ids: {
        "sections": [{"title_ko": "기본", "fields": [{"name": "name"}, {"name": "owner"}]}]
    },
    # --- partners14b ---
    "POST /partners/routing-rules": lambda ids: {"name": "매트릭스 규칙", "target": "pool"},
    "PATCH /partners/routing-rules/{id}": lambda ids: {"version": 1, "name": "매트릭스"},
    "PUT /partners/routing-rules/order": lambda ids: {"ids": []},
    # --- move11 ---
    "POST /lost-reasons": lambda ids: {"name": "매트릭스 실주 사유"},
    "PATCH /lost-reasons/{id}": lambda ids: {"name": "매트릭스 실주"},
    "POST /scoring/disqualify-reasons": lambda ids: {"name": "매트릭스 제외 사유"},
    "PATCH /scoring/disqualify-reasons/{id}": lambda ids: {"name": "매트릭스 제외"},
}
