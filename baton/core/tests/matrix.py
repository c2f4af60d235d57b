"""The permission matrix: every page route and every API operation, declared once with what it shows,
checked against every role of the demo (``test_pages.py`` and ``test_api_permissions.py`` run it).

A route or operation missing from these tables fails ``test_*_matrix_covers_every_*``, so a new page or
endpoint is covered the day it appears. Each entry says which record the URL names (the roles blind to
it must get 404), that the page is role-gated (403 for everyone else), or that it is open to every
signed-in user — in which case its body must not show the names of records the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- the cast and what each is blind to ---------------------------------------------------------------

# Who may read alice's records (owner, teammate, managers, admin) …
SEERS = ("alice", "bob", "dana", "mina", "root")
# … and who may not. Marketing reads every lead, so only alice's lead is not hidden from mark.
BLIND: dict[str, frozenset[str]] = {
    name: frozenset({"lead", "account", "contact", "opportunity"})
    for name in ("charlie", "ines", "cara", "dave", "fin", "sam", "pat")
}
BLIND["mark"] = frozenset({"account", "contact", "opportunity"})
PERSONAS = (*SEERS, *BLIND)

# The names of alice's records by the kind that guards them; none may appear on a page or in an API
# answer to someone blind to that kind.
SECRETS = {
    "lead": ("이서연", "새봄물산"),
    "account": ("한빛소프트",),
    "contact": ("김민준",),
    "opportunity": ("한빛 ERP 교체", "한빛 단가 협상 회의록", "경쟁사 단가는 비밀"),
}

# Objects that hang off a record are guarded by it.
GUARD = {
    "lead": "lead",
    "account": "account",
    "contact": "contact",
    "opportunity": "opportunity",
    "activity": "opportunity",
    "question": "opportunity",
    "quote": "opportunity",
    "package": "opportunity",
    "line": "opportunity",
    "effort": "opportunity",
    "team_entry": "opportunity",
}


@dataclass(frozen=True)
class Expect:
    """What a route or operation is.

    - ``record``: the URL names ``record`` (a key of ``GUARD``); roles blind to it get 404.
    - ``open``: every signed-in user may use it; answers must not show hidden records' names.
    - ``admin`` / ``roles``: role-gated; everyone else gets 403 (``roles`` lists who may).
    - ``public``: reachable without signing in (sign-in, language, the API docs).
    - ``token``: reached with a secret in the URL (the calendar feed), not a session.
    """

    what: str
    record: str = ""
    method: str = "get"
    roles: tuple[str, ...] = ()
    # Extra URL arguments by name: a key of the world ids, or a literal.
    args: tuple[tuple[str, Any], ...] = ()
    query: str = ""

    @property
    def names_nothing(self) -> bool:
        """The URL names an id that does not exist (a 404 is as good as a 403 there)."""
        return any(value == MISSING for _name, value in self.args)


MISSING = 10**9


def rec(record: str, method: str = "get", *args: tuple[str, Any], query: str = "") -> Expect:
    return Expect("record", record=record, method=method, args=args, query=query)


OPEN = Expect("open")
OPEN_POST = Expect("open", method="post")
ADMIN = Expect("admin")
ADMIN_POST = Expect("admin", method="post")
PUBLIC = Expect("public")
SUPPLY_ROLES = ("ines", "dana", "mina", "root")  # inside sales, sales managers, administrators
SUPPLY = Expect("roles", roles=SUPPLY_ROLES)

K = ("kind", "opportunity")
# The catalogue is kept by administrators and operations (no operations persona in the cast: only root).
CATALOG = Expect("roles", roles=("root",))
CATALOG_POST = Expect("roles", method="post", roles=("root",))
MANAGERS = ("dana", "mina", "root")  # sales managers and administrators
CHANNEL_ROLES = ("pat", "dana", "mina", "root")  # partner manager, sales managers, administrators
CHANNEL = Expect("roles", roles=CHANNEL_ROLES)
PORTAL = Expect("roles", roles=())  # partner users only (none in the internal cast)

# The partner persona (a partner user, ``Role.PARTNER``): outside the portal every page and operation
# answers 403 (the home page sends them to the portal); these open pages are all they keep.
PARTNER_PAGES = frozenset(
    {
        "core:profile",
        "core:profile_time_zone",
        "core:token_create",
        "core:token_revoke",
        "security:page",
        "security:two_factor_verify",
        "security:two_factor_setup",
        "security:two_factor_disable",
        "security:recovery_codes_renew",
        "security:session_revoke",
        "security:sessions_revoke_all",
        "security:password_change",
        "security:password_change_done",
    }
)
PARTNER_NAMESPACES = ("portal",)
PARTNER_OPERATIONS_PREFIX = "/partners/portal/"

ROUTES: dict[str, Expect] = {
    "home": OPEN,
    "login": PUBLIC,
    "logout": Expect("public", method="post"),
    "core:set_language": Expect("public", method="post"),
    "core:profile": OPEN,
    "core:token_create": OPEN_POST,
    "core:token_revoke": Expect("open", method="post", args=(("pk", MISSING),)),
    # Custom fields and validation rules (administrators)
    "core:custom_fields": ADMIN,
    "core:custom_field_create": ADMIN,
    "core:custom_field_edit": Expect("admin", args=(("pk", MISSING),)),
    "core:custom_field_archive": Expect("admin", method="post", args=(("pk", MISSING),)),
    "core:custom_field_type": Expect("admin", args=(("pk", MISSING),)),
    "core:rule_create": ADMIN,
    "core:rule_edit": Expect("admin", args=(("pk", MISSING),)),
    "core:rule_test": Expect("admin", method="post", args=(("pk", MISSING),)),
    "core:rule_toggle": Expect("admin", method="post", args=(("pk", MISSING),)),
    "leads:list": OPEN,
    "leads:create": OPEN,
    "leads:detail": rec("lead"),
    "leads:edit": rec("lead"),
    "leads:status": rec("lead", "post"),
    "leads:interaction": rec("lead", "post"),
    "leads:convert": rec("lead"),
    "accounts:list": OPEN,
    "accounts:create": OPEN,
    "accounts:lookup": Expect("open", query="?q=한빛"),
    "accounts:detail": rec("account"),
    "accounts:edit": rec("account"),
    "contacts:list": OPEN,
    "contacts:create": OPEN,
    "contacts:lookup": Expect("open", query="?q=김"),
    "contacts:detail": rec("contact"),
    "contacts:edit": rec("contact"),
    "deals:list": OPEN,
    "deals:create": OPEN,
    "deals:board": OPEN,
    "deals:detail": rec("opportunity"),
    "deals:edit": rec("opportunity"),
    "deals:move": rec("opportunity", "post"),
    "deals:offer": rec("opportunity"),
    "deals:line_add": rec("opportunity", "post"),
    "deals:line_remove": rec("line", "post", ("pk", "opportunity"), ("line_id", "line")),
    "deals:effort_add": rec("opportunity", "post"),
    "deals:effort_remove": rec("effort", "post", ("pk", "opportunity"), ("effort_id", "effort")),
    "deals:quote_create": rec("opportunity", "post"),
    "deals:team": rec("opportunity"),
    "deals:team_add": rec("opportunity", "post"),
    "deals:buyer_add": rec("opportunity", "post"),
    "deals:team_remove": rec(
        "team_entry", "post", ("pk", "opportunity"), ("kind", "member"), ("entry_id", "team_entry")
    ),
    "deals:request_add": rec("opportunity", "post"),
    "deals:quote": rec("quote"),
    "deals:quote_pdf": rec("quote"),
    "deals:quote_submit": rec("quote", "post"),
    "deals:quote_recall": rec("quote", "post"),
    "deals:quote_primary": rec("quote", "post"),
    "deals:requests": OPEN,
    "deals:approvals": OPEN,
    "deals:approval_decide": Expect("open", method="post", args=(("step_id", MISSING),)),
    "deals:approval_rules": ADMIN,
    "deals:approval_rule_toggle": Expect("admin", method="post", args=(("rule_id", MISSING),)),
    "deals:products": OPEN,
    "process:floor": OPEN,
    "process:metrics_csv": OPEN,
    "process:drill": Expect("open", args=(("key", "nurturing"), ("metric", "wip"))),
    "process:record": rec("lead", "get", ("kind", "lead")),
    "process:move": rec("lead", "post", ("kind", "lead")),
    "process:qualify": rec("lead", "post", ("kind", "lead")),
    "process:recycle": rec("lead", "post", ("kind", "lead")),
    "process:queues": OPEN,
    "process:followup_done": Expect("open", method="post", args=(("pk", MISSING),)),
    "process:handoff_decide": Expect("open", method="post", args=(("pk", MISSING),)),
    "process:design": ADMIN,
    "process:design_stage": Expect("admin", method="post", args=(("pk", MISSING),)),
    "process:design_stage_create": Expect("admin", method="post", args=(("dept", MISSING),)),
    "process:design_criterion": Expect("admin", method="post", args=(("stage_pk", MISSING),)),
    "activities:my_day": OPEN,
    "activities:create": OPEN,
    "activities:detail": rec("activity"),
    "activities:edit": rec("activity"),
    "activities:complete": rec("activity", "post"),
    "activities:reschedule": rec("activity", "post"),
    "activities:question_add": rec("activity", "post"),
    "activities:attach": rec("activity", "post"),
    "activities:question_answer": rec("question", "post"),
    "activities:record": rec("opportunity", "get", K),
    "activities:panel": rec("opportunity", "get", K),
    "activities:feed_page": rec("opportunity", "get", K),
    "activities:comment": rec("opportunity", "post", K),
    "activities:follow": rec("opportunity", "post", K),
    "activities:request": rec("opportunity", "post", K),
    "activities:my_feed": OPEN,
    "activities:notifications": OPEN,
    "activities:bell": OPEN,
    "activities:notifications_read": OPEN_POST,
    "activities:calendar": OPEN,
    "activities:calendar_rotate": OPEN_POST,
    "activities:ical": Expect("token"),
    "activities:team": OPEN,
    "activities:attachment": Expect("open", args=(("pk", MISSING),)),
    "activities:compose": rec("opportunity", "get", K),
    "activities:templates": OPEN,
    "activities:template_new": OPEN,
    "activities:template_edit": Expect("open", args=(("pk", MISSING),)),
    "activities:review": OPEN,  # the reader's own review queue
    "activities:review_resolve": Expect("open", method="post", args=(("pk", MISSING),)),
    "delivery:inbox": OPEN,
    "delivery:handoff": rec("opportunity", "get", ("opportunity_pk", "opportunity")),
    "delivery:package": rec("package"),
    "delivery:package_edit": rec("package", "post"),
    "delivery:answer": rec("package", "post", ("item_id", MISSING)),
    "delivery:submit": rec("package", "post"),
    "delivery:review": rec("package", "post"),
    "delivery:project": Expect("open", args=(("pk", MISSING),)),
    "delivery:checklists": ADMIN,
    "success:contracts": OPEN,
    "success:contract": Expect("open", args=(("pk", MISSING),)),
    "success:amend": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:terminate": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:renewal_outcome": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:create": rec("opportunity", "get", ("opportunity_pk", "opportunity")),
    "success:deal_panel": rec("opportunity", "get", ("opportunity_pk", "opportunity")),
    "success:revenue": OPEN,
    "success:renewals": OPEN,
    "success:csm_home": OPEN,
    "success:installed_base": rec("account", "get", ("account_pk", "account")),
    # Partners: the channel team's pages, the opportunity's partner panel, and the partner portal (for
    # partner users only: every internal persona, administrators included, gets 403 there).
    "partners:list": CHANNEL,
    "partners:registrations": CHANNEL,
    "partners:registration": Expect("roles", roles=CHANNEL_ROLES, args=(("pk", MISSING),)),
    "partners:approve": Expect("roles", method="post", roles=CHANNEL_ROLES, args=(("pk", MISSING),)),
    "partners:reject": Expect("roles", method="post", roles=CHANNEL_ROLES, args=(("pk", MISSING),)),
    "partners:deal_panel": rec("opportunity", "get", ("opportunity_pk", "opportunity")),
    "partners:link": rec("opportunity", "post", ("opportunity_pk", "opportunity")),
    "portal:home": PORTAL,
    "portal:register": PORTAL,
    "portal:registration": Expect("roles", roles=(), args=(("pk", MISSING),)),
    "portal:deal": Expect("roles", roles=(), args=(("pk", MISSING),)),
    "success:cases": OPEN,
    "success:case": Expect("open", args=(("pk", MISSING),)),
    "success:case_status": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:case_comment": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:case_assign": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:case_new": rec("account", "get", ("account_pk", "account")),
    "success:sla_settings": OPEN,
    "success:health": OPEN,
    "success:health_weights": ADMIN_POST,
    "success:record_nps": rec("account", "post", ("account_pk", "account")),
    "success:plans": OPEN,
    "success:plan": Expect("open", args=(("pk", MISSING),)),
    "success:milestone_add": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:milestone_done": Expect("open", method="post", args=(("pk", MISSING),)),
    "success:plan_new": rec("account", "get", ("account_pk", "account")),
    "scoring:index": OPEN,
    "scoring:lead": rec("lead"),
    "scoring:lead_panel": rec("lead"),
    "scoring:lead_qualify": rec("lead", "post"),
    "scoring:lead_disqualify": rec("lead", "post"),
    "scoring:lead_explanation": rec("lead"),
    "scoring:lead_route": rec("lead", "post"),
    "scoring:opportunity": rec("opportunity"),
    "scoring:opportunity_panel": rec("opportunity"),
    "scoring:opportunity_meddpicc": rec("opportunity", "post"),
    "scoring:opportunity_competitor": rec("opportunity", "post"),
    "scoring:competitor_remove": Expect("open", method="post", args=(("pk", MISSING),)),
    "scoring:rules": ADMIN,
    "scoring:evaluation": OPEN,
    "scoring:train": ADMIN_POST,
    "scoring:win_loss": OPEN,
    "scoring:routing": ADMIN,
    "scoring:supply": SUPPLY,
    "scoring:supply_run": Expect("roles", method="post", roles=SUPPLY_ROLES),
    # Duplicates and merge (accounts)
    "accounts:merge": rec("account"),
    "contacts:merge": rec("contact"),
    "accounts:restore": rec("account", "post"),
    "contacts:restore": rec("contact", "post"),
    "accounts:merge_detail": Expect("open", args=(("merge_id", MISSING),)),
    "accounts:merge_undo": Expect("open", method="post", args=(("merge_id", MISSING),)),
    "core:profile_time_zone": OPEN_POST,
    # The catalogue: everyone reads, administrators and operations keep it
    "deals:families": OPEN,
    "deals:family_edit": Expect("roles", roles=("root",), args=(("pk", MISSING),)),
    "deals:family_archive": Expect("roles", method="post", roles=("root",), args=(("pk", MISSING),)),
    "deals:price_lists": OPEN,
    "deals:price_list": Expect("open", args=(("pk", MISSING),)),
    "deals:price_list_edit": Expect("roles", roles=("root",), args=(("pk", MISSING),)),
    "deals:price_list_archive": Expect("roles", method="post", roles=("root",), args=(("pk", MISSING),)),
    "deals:price_remove": Expect(
        "roles", method="post", roles=("root",), args=(("pk", MISSING), ("entry_id", MISSING))
    ),
    "deals:product_new": CATALOG,
    "deals:product_edit": Expect("roles", roles=("root",), args=(("pk", MISSING),)),
    "deals:product_archive": Expect("roles", method="post", roles=("root",), args=(("pk", MISSING),)),
    "deals:quote_print": rec("quote"),
    # The manager's numbers (insights): every page reads through the reader's visibility
    "insights:forecast": OPEN,
    "insights:forecast_csv": OPEN,
    "insights:forecast_deals": Expect("open", query="?kind=all&measure=won"),
    "insights:adjust": OPEN_POST,
    "insights:snapshot": Expect("roles", method="post", roles=MANAGERS),
    "insights:quotas": OPEN,
    "insights:rates": OPEN,
    "insights:reports": OPEN,
    "insights:report_builder": Expect("open", query="?object=opportunities&col=name&col=account"),
    "insights:report_save": OPEN_POST,
    "insights:report": Expect("open", args=(("pk", MISSING),)),
    "insights:report_delete": Expect("open", method="post", args=(("pk", MISSING),)),
    "insights:seven_questions": OPEN,
    "insights:marketing": OPEN,
    "insights:inside_sales": OPEN,
    "insights:dashboard_records": OPEN,
    "insights:report_subscribe": Expect("open", method="post", args=(("pk", MISSING),)),
    "insights:campaign_cost": Expect("roles", method="post", roles=("mark", "root"), args=(("pk", MISSING),)),
    # Global search
    "search:page": Expect("open", query="?q=한빛"),
    # Sign-in and security
    "security:page": OPEN,
    "security:two_factor_verify": OPEN,
    "security:two_factor_setup": OPEN,
    "security:two_factor_disable": OPEN_POST,
    "security:recovery_codes_renew": OPEN_POST,
    "security:session_revoke": Expect("open", method="post", args=(("pk", MISSING),)),
    "security:sessions_revoke_all": OPEN_POST,
    "security:password_change": OPEN,
    "security:password_change_done": OPEN,
    "security:password_reset": PUBLIC,
    "security:password_reset_done": PUBLIC,
    "security:password_reset_confirm": PUBLIC,
    "security:password_reset_complete": PUBLIC,
    "security:admin_events": ADMIN,
    "security:admin_lockouts": ADMIN,
    "security:admin_unlock": Expect("admin", method="post", args=(("pk", MISSING),)),
    "security:admin_policy": ADMIN,
    "security:admin_fields": ADMIN,
    # Personal information (PIPA/GDPR)
    "privacy:home": ADMIN,
    "privacy:subject": ADMIN,
    "privacy:subject_export": ADMIN_POST,
    "privacy:subject_erase": ADMIN_POST,
    "privacy:consent_panel": rec("lead", "get", ("kind", "lead")),
    "privacy:consent_add": rec("lead", "post", ("kind", "lead")),
    "privacy:retention": ADMIN,
    "privacy:retention_preview": Expect("admin", args=(("pk", MISSING),)),
    "privacy:retention_apply": Expect("admin", method="post", args=(("pk", MISSING),)),
    "privacy:retention_delete": Expect("admin", method="post", args=(("pk", MISSING),)),
    "privacy:logs": ADMIN,
    "sharing:panel": rec("lead", "get", ("kind", "lead")),
    "sharing:add": rec("lead", "post", ("kind", "lead")),
    "sharing:revoke": rec("lead", "post", ("kind", "lead"), ("share_id", MISSING)),
    "sharing:defaults": ADMIN,
    # Automation rules and their log (administrators); a record's runs follow the record.
    "automation:list": ADMIN,
    "automation:create": ADMIN,
    "automation:edit": Expect("admin", args=(("pk", MISSING),)),
    "automation:toggle": Expect("admin", method="post", args=(("pk", MISSING),)),
    "automation:dry_run": Expect("admin", args=(("pk", MISSING),)),
    "automation:draft_dry_run": ADMIN_POST,
    "automation:log": ADMIN,
    "automation:retry": Expect("admin", method="post", args=(("pk", MISSING),)),
    "automation:record_runs": rec("account", "get", ("kind", "account")),
    "security:sso_login": PUBLIC,
    "security:sso_callback": PUBLIC,
    # Imports (administrators)
    "transfer:home": ADMIN,
    "transfer:job": Expect("admin", args=(("pk", MISSING),)),
    "transfer:progress": Expect("admin", args=(("pk", MISSING),)),
    "transfer:errors": Expect("admin", args=(("pk", MISSING),)),
    "transfer:mapping": Expect("admin", method="post", args=(("pk", MISSING),)),
    "transfer:dry_run": Expect("admin", method="post", args=(("pk", MISSING),)),
    "transfer:run": Expect("admin", method="post", args=(("pk", MISSING),)),
    "transfer:pause": Expect("admin", method="post", args=(("pk", MISSING),)),
    "transfer:resume": Expect("admin", method="post", args=(("pk", MISSING),)),
    "transfer:rollback": Expect("admin", method="post", args=(("pk", MISSING),)),
    # Integrations (administrators)
    "integrations:webhooks": ADMIN,
    "integrations:endpoint": Expect("admin", args=(("pk", MISSING),)),
    "integrations:rotate": Expect("admin", method="post", args=(("pk", MISSING),)),
    "integrations:delivery": Expect("admin", args=(("pk", MISSING),)),
    "integrations:redeliver": Expect("admin", method="post", args=(("pk", MISSING),)),
    "integrations:webforms": ADMIN,
    "integrations:webform": Expect("admin", args=(("pk", MISSING),)),
    "integrations:account_export": rec("account"),
    # The public web-to-lead form: keyed by the form's token, no session.
    "integrations:webform_public": Expect("token", args=(("token", "no-such-form"),)),
}

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
}

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
}


def secrets_hidden_from(persona: str) -> list[str]:
    return [text for kind in sorted(BLIND.get(persona, ())) for text in SECRETS[kind]]


def leaked(persona: str, body: str) -> list[str]:
    return [text for text in secrets_hidden_from(persona) if text in body]


def build_world(cast: dict, world: dict) -> dict[str, Any]:
    """Alice's records with something of every kind hanging off them, and a deal of charlie's with sam
    on its team (so the solution architect sees a deal, just not alice's)."""
    from baton.activities import services as activity_services
    from baton.deals import catalog, quoting
    from baton.deals.models import Stage
    from baton.deals.services import create_opportunity
    from baton.deals.team import add_team_member
    from baton.deals.tests.factories import add_lines, make_catalog
    from baton.delivery.services import start_package
    from baton.scoring.models import DisqualifyReason

    alice, opp = cast["alice"], world["opportunity"]
    reason = DisqualifyReason.objects.filter(is_archived=False).first() or DisqualifyReason.objects.create(
        name="예산 없음", name_en="No budget"
    )
    minutes = activity_services.create_activity(
        actor=alice, record=opp, kind="minutes", subject="한빛 단가 협상 회의록", body="? 예산 승인 일정"
    )
    activity_services.post_comment(opp, actor=alice, text="경쟁사 단가는 비밀")
    cat = make_catalog()
    add_lines(opp, alice, cat)
    effort = catalog.add_effort(opp, actor=alice, role="delivery", person_days=3, day_rate=500_000)
    quote = quoting.create_quote(opp, actor=alice)
    package = start_package(opp, actor=alice)
    member = add_team_member(opp, actor=alice, user=cast["bob"], role="specialist_sales")
    from baton.accounts.services import create_account

    their_account = create_account(actor=cast["charlie"], name="찰리상사")
    theirs = create_opportunity(actor=cast["charlie"], name="찰리의 건", account=their_account)
    add_team_member(theirs, actor=cast["charlie"], user=cast["sam"], role="solution_architect")
    return {
        "lead": world["lead"].pk,
        "account": world["account"].pk,
        "contact": world["contact"].pk,
        "opportunity": opp.pk,
        "activity": minutes.pk,
        "question": minutes.questions.get().pk,
        "quote": quote.pk,
        "package": package.pk,
        "line": opp.line_items.first().pk,
        "effort": effort.pk,
        "team_entry": member.pk,
        "theirs": theirs.pk,
        "stage": Stage.objects.get(pipeline=opp.pipeline, key="evaluating").pk,
        "product": cat["cloud"].pk,
        "bob": cast["bob"].pk,
        "disqualify_reason": reason.pk,
        "theirs_account": their_account.pk,
        "family": cat["cloud"].family_id,
    }


def url_kwargs(expect: Expect, ids: dict[str, Any], params: list[str]) -> dict[str, Any]:
    """Fill a route's (or operation's) parameters: named ones from ``args``, the rest with the id of
    the record the entry names."""
    given = {
        name: (ids.get(value, value) if isinstance(value, str) else value) for name, value in expect.args
    }
    for name in params:
        if name not in given:
            given[name] = ids[expect.record] if expect.record else MISSING
    # A literal that names a record kind ("kind": "lead") must stay the kind, not its id.
    for name, value in expect.args:
        if name in ("kind", "record_type", "item", "key", "metric"):
            given[name] = value
    return given
