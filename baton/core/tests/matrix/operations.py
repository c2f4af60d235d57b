"""Every API operation by "METHOD /path", with who may use it."""

from __future__ import annotations

from .base import (
    CATALOG_POST,
    CHANNEL,
    CHANNEL_ROLES,
    MANAGERS,
    MISSING,
    OPEN,
    OPEN_POST,
    PORTAL,
    SUPPLY,
    Expect,
    rec,
)

# API operations by "METHOD /path" as the OpenAPI document names them (paths without /api/v1).
OPERATIONS: dict[str, Expect] = {
    # Custom fields: everyone lists what they may read; administrators define fields and rules.
    "GET /custom-fields": OPEN,
    "POST /custom-fields": Expect("roles", method="post", roles=("root",)),
    "PATCH /custom-fields/{id}": Expect("roles", method="patch", roles=("root",), args=(("id", MISSING),)),
    "POST /custom-fields/{id}/archive": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "POST /custom-fields/{id}/restore": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /custom-fields/{id}/type-preview": Expect(
        "roles", roles=("root",), args=(("id", MISSING),), query="?type=text"
    ),
    "POST /custom-fields/{id}/type": Expect("roles", method="post", roles=("root",), args=(("id", MISSING),)),
    "GET /validation-rules": Expect("roles", roles=("root",)),
    "POST /validation-rules": Expect("roles", method="post", roles=("root",)),
    "PATCH /validation-rules/{id}": Expect("roles", method="patch", roles=("root",), args=(("id", MISSING),)),
    "POST /validation-rules/{id}/test": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /me": OPEN,
    "GET /leads": OPEN,
    "POST /leads": OPEN_POST,
    "GET /leads/{id}": rec("lead"),
    "PATCH /leads/{id}": rec("lead", "patch"),
    "POST /leads/{id}/convert": rec("lead", "post"),
    "GET /leads/{id}/duplicates": rec("lead"),
    "GET /leads/{id}/interactions": rec("lead"),
    "POST /leads/{id}/interactions": rec("lead", "post"),
    "GET /accounts": OPEN,
    "POST /accounts": OPEN_POST,
    "GET /accounts/{id}": rec("account"),
    "PATCH /accounts/{id}": rec("account", "patch"),
    "DELETE /accounts/{id}": rec("account", "delete"),
    "GET /contacts": OPEN,
    "POST /contacts": OPEN_POST,
    "GET /contacts/{id}": rec("contact"),
    "PATCH /contacts/{id}": rec("contact", "patch"),
    "DELETE /contacts/{id}": rec("contact", "delete"),
    "GET /opportunities": OPEN,
    "POST /opportunities": OPEN_POST,
    "GET /opportunities/{id}": rec("opportunity"),
    "PATCH /opportunities/{id}": rec("opportunity", "patch"),
    "POST /opportunities/{id}/move": rec("opportunity", "post"),
    "GET /pipelines": OPEN,
    "GET /lost-reasons": OPEN,
    "GET /opportunities/{id}/economics": rec("opportunity"),
    "POST /opportunities/{id}/line-items": rec("opportunity", "post"),
    "GET /opportunities/{id}/quotes": rec("opportunity"),
    "POST /opportunities/{id}/quotes": rec("opportunity", "post"),
    "POST /quotes/{id}/submit": rec("quote", "post"),
    "POST /quotes/{id}/recall": rec("quote", "post"),
    "POST /quotes/{id}/primary": rec("quote", "post"),
    "GET /approvals": OPEN,
    "POST /approvals/{id}/decision": Expect("open", method="post", args=(("id", MISSING),)),
    "GET /opportunities/{id}/team": rec("opportunity"),
    "POST /opportunities/{id}/team-requests": rec("opportunity", "post"),
    "GET /process/metrics": OPEN,
    "GET /process/metrics.csv": OPEN,
    "GET /process/stages": OPEN,
    "GET /process/records/{kind}/{record_id}/history": rec(
        "lead", "get", ("kind", "lead"), ("record_id", "lead")
    ),
    "GET /process/records/{kind}/{record_id}": rec("lead", "get", ("kind", "lead"), ("record_id", "lead")),
    "POST /process/records/{kind}/{record_id}/move": rec(
        "lead", "post", ("kind", "lead"), ("record_id", "lead")
    ),
    "GET /delivery/handoffs": OPEN,
    "GET /delivery/handoffs/{id}": rec("package"),
    "POST /delivery/handoffs/{id}/review": rec("package", "post"),
    "GET /success/contracts": OPEN,
    "GET /success/contracts/{id}": Expect("open", args=(("id", MISSING),)),
    "GET /success/contracts/{id}/arr": Expect("open", args=(("id", MISSING),)),
    "POST /success/opportunities/{id}/contract": rec("opportunity", "post"),
    "POST /success/contracts/{id}/amendments": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/contracts/{id}/termination": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/renewals/{id}/outcome": Expect("open", method="post", args=(("id", MISSING),)),
    "GET /success/renewals": OPEN,
    "GET /success/revenue": OPEN,
    "GET /success/cases": OPEN,
    "POST /success/cases": OPEN_POST,
    "GET /success/cases/{id}": Expect("open", args=(("id", MISSING),)),
    "POST /success/cases/{id}/status": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/cases/{id}/comments": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/cases/{id}/assignment": Expect("open", method="post", args=(("id", MISSING),)),
    "GET /success/sla-policies": OPEN,
    "GET /success/accounts/{id}/health": rec("account"),
    "GET /success/health": OPEN,
    "PUT /success/health-weights": Expect("roles", method="put", roles=("root",)),
    "POST /success/accounts/{id}/nps": rec("account", "post"),
    "GET /success/plans": OPEN,
    "GET /success/plans/{id}": Expect("open", args=(("id", MISSING),)),
    "POST /success/accounts/{id}/plans": rec("account", "post"),
    "POST /success/plans/{id}/milestones": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/milestones/{id}/completion": Expect("open", method="post", args=(("id", MISSING),)),
    "PUT /success/sla-policies/{priority}": Expect(
        "roles", method="put", roles=("root",), args=(("priority", "low"),)
    ),
    "GET /activities": OPEN,
    "POST /activities": OPEN_POST,
    "GET /activities/{id}": rec("activity"),
    "POST /activities/{id}/complete": rec("activity", "post"),
    "POST /records/{record_type}/{id}/comments": rec("opportunity", "post", ("record_type", "opportunity")),
    "GET /notifications": OPEN,
    "POST /notifications/read": OPEN_POST,
    "GET /scoring/leads/{id}/score": rec("lead"),
    "POST /scoring/leads/{id}/rescore": rec("lead", "post"),
    "GET /scoring/leads/{id}/qualification": rec("lead"),
    "PUT /scoring/leads/{id}/qualification/{item}": rec("lead", "put", ("item", "budget")),
    "POST /scoring/leads/{id}/disqualify": rec("lead", "post"),
    "POST /scoring/leads/{id}/route": rec("lead", "post"),
    "GET /scoring/leads/{id}/assignments": rec("lead"),
    "GET /scoring/opportunities/{id}/meddpicc": rec("opportunity"),
    "PUT /scoring/opportunities/{id}/meddpicc/{item}": rec("opportunity", "put", ("item", "metrics")),
    "GET /scoring/opportunities/{id}/competitors": rec("opportunity"),
    "POST /scoring/opportunities/{id}/competitors": rec("opportunity", "post"),
    "GET /scoring/supply": SUPPLY,
    "GET /scoring/win-loss": OPEN,
    # Duplicates and merge
    "POST /accounts/{id}/merge": rec("account", "post"),
    "POST /contacts/{id}/merge": rec("contact", "post"),
    "POST /accounts/{id}/restore": rec("account", "post"),
    "POST /contacts/{id}/restore": rec("contact", "post"),
    "GET /merges/{id}": Expect("open", args=(("id", MISSING),)),
    "POST /merges/{id}/undo": Expect("open", method="post", args=(("id", MISSING),)),
    # The catalogue
    "GET /catalog/families": OPEN,
    "POST /catalog/families": CATALOG_POST,
    "PATCH /catalog/families/{id}": Expect("open", method="patch", args=(("id", MISSING),)),
    "GET /catalog/products": OPEN,
    "POST /catalog/products": CATALOG_POST,
    "GET /catalog/products/{id}": Expect("open", args=(("id", MISSING),)),
    "PATCH /catalog/products/{id}": Expect("open", method="patch", args=(("id", MISSING),)),
    "GET /catalog/price-lists": OPEN,
    "POST /catalog/price-lists": CATALOG_POST,
    "GET /catalog/price-lists/{id}": Expect("open", args=(("id", MISSING),)),
    "PATCH /catalog/price-lists/{id}": Expect("open", method="patch", args=(("id", MISSING),)),
    "PUT /catalog/price-lists/{id}/prices/{product_id}": Expect(
        "open", method="put", args=(("id", MISSING), ("product_id", MISSING))
    ),
    "DELETE /catalog/price-lists/{id}/prices/{product_id}": Expect(
        "open", method="delete", args=(("id", MISSING), ("product_id", MISSING))
    ),
    # The manager's numbers
    "GET /insights/forecast": OPEN,
    "GET /insights/forecast/deals": Expect("open", query="?measure=won"),
    "GET /insights/forecast/adjustments": OPEN,
    "POST /insights/forecast/adjustments": OPEN_POST,
    "GET /insights/forecast/snapshots": OPEN,
    "POST /insights/forecast/snapshots": Expect("roles", method="post", roles=MANAGERS),
    "GET /insights/quotas": OPEN,
    "PUT /insights/quotas": Expect("open", method="put"),
    "GET /insights/exchange-rates": OPEN,
    "PUT /insights/exchange-rates": Expect("roles", method="put", roles=("root",)),
    "GET /insights/reports": OPEN,
    "POST /insights/reports": OPEN_POST,
    "POST /insights/reports/run": OPEN_POST,
    "GET /insights/reports/{id}/result": Expect("open", args=(("id", MISSING),)),
    "GET /insights/dashboards/marketing": OPEN,
    "GET /insights/dashboards/inside-sales": OPEN,
    "GET /insights/dashboards/rep": OPEN,
    "GET /insights/dashboards/manager": Expect("roles", roles=MANAGERS),
    "GET /insights/dashboards/executive": Expect("roles", roles=("root",)),
    "GET /insights/subscriptions": OPEN,
    "PUT /insights/reports/{id}/subscription": Expect("open", method="put", args=(("id", MISSING),)),
    "DELETE /insights/reports/{id}/subscription": Expect("open", method="delete", args=(("id", MISSING),)),
    # Search and security
    "GET /search": OPEN,
    "GET /security/events": Expect("roles", roles=("root",)),
    "GET /security/lockouts": Expect("roles", roles=("root",)),
    "POST /security/lockouts/{lockout_id}/unlock": Expect(
        "open", method="post", args=(("lockout_id", MISSING),)
    ),
    "GET /privacy/consents/{kind}/{id}": rec("lead", "get", ("kind", "lead")),
    "POST /privacy/consents/{kind}/{id}": rec("lead", "post", ("kind", "lead")),
    "GET /sharing/{kind}/{id}/shares": rec("lead", "get", ("kind", "lead")),
    "POST /sharing/{kind}/{id}/shares": rec("lead", "post", ("kind", "lead")),
    "DELETE /sharing/{kind}/{id}/shares/{share_id}": rec(
        "lead", "delete", ("kind", "lead"), ("share_id", MISSING)
    ),
    "GET /sharing/defaults": Expect("roles", roles=("root",)),
    "PUT /sharing/defaults/{kind}": Expect("roles", method="put", roles=("root",), args=(("kind", "lead"),)),
    "GET /privacy/subjects": Expect("roles", roles=("root",)),
    "POST /privacy/subjects/export": Expect("roles", method="post", roles=("root",)),
    "POST /privacy/subjects/erase": Expect("roles", method="post", roles=("root",)),
    "GET /privacy/erasures": Expect("roles", roles=("root",)),
    "GET /privacy/exports": Expect("roles", roles=("root",)),
    "GET /privacy/retention-rules": Expect("roles", roles=("root",)),
    "POST /privacy/retention-rules": Expect("roles", method="post", roles=("root",)),
    "GET /privacy/retention-rules/{id}/preview": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    # Automation (administrators); a record's runs follow the record.
    "GET /automation/rules": Expect("roles", roles=("root",)),
    "POST /automation/rules": Expect("roles", method="post", roles=("root",)),
    "GET /automation/rules/{id}": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "PUT /automation/rules/{id}": Expect("roles", method="put", roles=("root",), args=(("id", MISSING),)),
    "POST /automation/rules/{id}/enabled": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /automation/rules/{id}/dry-run": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "POST /automation/dry-run": Expect("roles", method="post", roles=("root",)),
    "GET /automation/runs": Expect("roles", roles=("root",)),
    "POST /automation/runs/{id}/retry": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /automation/records/{kind}/{id}/runs": rec("account", "get", ("kind", "account")),
    # Imports (administrators)
    "GET /transfer/jobs": Expect("roles", roles=("root",)),
    # Partners: the portal's operations answer 403 to every internal persona (partner users only).
    "GET /partners/portal/registrations": PORTAL,
    "POST /partners/portal/registrations": Expect("roles", method="post", roles=()),
    "GET /partners/portal/opportunities": PORTAL,
    "PATCH /partners/portal/opportunities/{id}": Expect(
        "roles", method="patch", roles=(), args=(("id", MISSING),)
    ),
    "GET /partners/registrations": CHANNEL,
    "POST /partners/registrations/{id}/approve": Expect(
        "roles", method="post", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "POST /partners/registrations/{id}/reject": Expect(
        "roles", method="post", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "GET /partners/opportunities/{id}": rec("opportunity"),
    "POST /transfer/jobs": Expect("roles", method="post", roles=("root",)),
    "GET /transfer/jobs/{id}": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "GET /transfer/jobs/{id}/rows": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "PUT /transfer/jobs/{id}/mapping": Expect(
        "roles", method="put", roles=("root",), args=(("id", MISSING),)
    ),
    **{
        f"POST /transfer/jobs/{{id}}/{action}": Expect(
            "roles", method="post", roles=("root",), args=(("id", MISSING),)
        )
        for action in ("dry-run", "run", "pause", "resume", "rollback")
    },
    # Integrations (administrators)
    "GET /integrations/webhooks": Expect("roles", roles=("root",)),
    "POST /integrations/webhooks": Expect("roles", method="post", roles=("root",)),
    "PATCH /integrations/webhooks/{id}": Expect(
        "roles", method="patch", roles=("root",), args=(("id", MISSING),)
    ),
    "POST /integrations/webhooks/{id}/rotate-secret": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /integrations/webhooks/{id}/deliveries": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "POST /integrations/deliveries/{id}/redeliver": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    # Bulk writes: every signed-in user, each item with the rules of the single write.
    "POST /integrations/bulk/{kind}": Expect("open", method="post", args=(("kind", "leads"),)),
    # --- import11 ---
    "GET /integrations/web-forms": Expect("roles", roles=("root",)),
    "POST /integrations/web-forms": Expect("roles", method="post", roles=("root",)),
    "GET /integrations/web-forms/{id}": Expect("roles", roles=("root",), args=(("id", MISSING),)),
    "PATCH /integrations/web-forms/{id}": Expect(
        "roles", method="patch", roles=("root",), args=(("id", MISSING),)
    ),
    "DELETE /integrations/web-forms/{id}": Expect(
        "roles", method="delete", roles=("root",), args=(("id", MISSING),)
    ),
    # --- cs13 ---
    "GET /success/invoices": OPEN,
    "GET /success/invoices/{id}": Expect("open", args=(("id", MISSING),)),
    "POST /success/contracts/{id}/invoices": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/invoices/{id}/issue": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/invoices/{id}/payments": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/invoices/{id}/credit-notes": Expect("open", method="post", args=(("id", MISSING),)),
    "POST /success/invoices/{id}/void": Expect("open", method="post", args=(("id", MISSING),)),
    "GET /success/collections": OPEN,
    "POST /success/accounts/{id}/expansion": rec("account", "post"),
    "GET /success/accounts/{id}/usage": rec("account"),
    "POST /success/accounts/{id}/usage": rec("account", "post"),
    "POST /success/usage/import": OPEN_POST,
    # --- partners14 ---
    "GET /partners/partners": CHANNEL,
    "POST /partners/partners": Expect("roles", method="post", roles=CHANNEL_ROLES),
    "PATCH /partners/partners/{id}": Expect(
        "roles", method="patch", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "GET /partners/partners/{id}/agreements": Expect("roles", roles=CHANNEL_ROLES, args=(("id", MISSING),)),
    "POST /partners/partners/{id}/agreements": Expect(
        "roles", method="post", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "PATCH /partners/agreements/{id}": Expect(
        "roles", method="patch", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "POST /partners/leads/{id}/pass": rec("lead", "post"),
    "GET /partners/passes": CHANNEL,
    "GET /partners/portal/leads": PORTAL,
    "GET /partners/portal/pool": PORTAL,
    "POST /partners/portal/leads/{id}/accept": Expect(
        "roles", method="post", roles=(), args=(("id", MISSING),)
    ),
    "POST /partners/portal/leads/{id}/decline": Expect(
        "roles", method="post", roles=(), args=(("id", MISSING),)
    ),
    "POST /partners/portal/pool/{id}/claim": Expect(
        "roles", method="post", roles=(), args=(("id", MISSING),)
    ),
    # --- layouts15 ---
    "GET /page-layouts": Expect("roles", roles=("root",)),
    "PUT /page-layouts/{kind}/{role}": Expect(
        "roles", method="put", roles=("root",), args=(("kind", "lead"), ("role", "field_sales"))
    ),
    "DELETE /page-layouts/{kind}/{role}": Expect(
        "roles", method="delete", roles=("root",), args=(("kind", "lead"), ("role", "all"))
    ),
    # --- partners14b ---
    "GET /partners/routing-rules": CHANNEL,
    "POST /partners/routing-rules": Expect("roles", method="post", roles=CHANNEL_ROLES),
    "PATCH /partners/routing-rules/{id}": Expect(
        "roles", method="patch", roles=CHANNEL_ROLES, args=(("id", MISSING),)
    ),
    "PUT /partners/routing-rules/order": Expect("roles", method="put", roles=CHANNEL_ROLES),
    # --- move11 ---
    # Lost and disqualification reasons: everyone reads the active ones, administrators manage them.
    "POST /lost-reasons": Expect("roles", method="post", roles=("root",)),
    "PATCH /lost-reasons/{id}": Expect("roles", method="patch", roles=("root",), args=(("id", MISSING),)),
    "POST /lost-reasons/{id}/archive": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "POST /lost-reasons/{id}/unarchive": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "GET /scoring/disqualify-reasons": OPEN,
    "POST /scoring/disqualify-reasons": Expect("roles", method="post", roles=("root",)),
    "PATCH /scoring/disqualify-reasons/{id}": Expect(
        "roles", method="patch", roles=("root",), args=(("id", MISSING),)
    ),
    "POST /scoring/disqualify-reasons/{id}/archive": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
    "POST /scoring/disqualify-reasons/{id}/unarchive": Expect(
        "roles", method="post", roles=("root",), args=(("id", MISSING),)
    ),
}
