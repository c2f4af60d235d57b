"""Every page of the app, from the URL resolver, with sample ids from a world that has one of each
record; shared by the every-page test and the page-parameter fuzz.

A new URL pattern is picked up automatically. Its ids come from ``SAMPLES`` (url name -> kwargs
builder) or, for a kwarg nobody described, from ``FALLBACK_IDS`` so the page is still requested
(and must not answer 5xx); ``test_every_page`` lists such routes so they get a real sample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SKIP_PREFIXES = ("api/",)  # the API has its own fuzz (schemathesis, test_api_fuzz.py)


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    pattern: str  # the route as written, for messages
    kwargs: tuple[str, ...]


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if route.startswith(SKIP_PREFIXES):
                    continue
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                converters = getattr(entry.pattern, "converters", {})
                found.append(Route(name, route, tuple(sorted(converters))))

    walk(get_resolver().url_patterns, "", "")
    unique = {r.name: r for r in found}
    return sorted(unique.values(), key=lambda r: r.name)


def build_world(world: dict, personas: dict) -> dict[str, Any]:
    """One of each record the pages show, through the services (set-up, not under test)."""
    from baton.accounts.models import BuyerRole
    from baton.activities import mail
    from baton.activities import services as activities
    from baton.core.models import Role, User
    from baton.core.services import create_api_token
    from baton.deals import approvals, catalog, quoting, team
    from baton.deals.models_sales import ApprovalRule, BuyingStep, TeamRole
    from baton.deals.tests.factories import add_lines, make_catalog
    from baton.delivery import services as delivery
    from baton.delivery.models import ChecklistItem
    from baton.scoring.models import Competitor, OpportunityCompetitor

    alice, root = personas["alice"], personas["root"]
    opp, contact = world["opportunity"], world["contact"]
    cat = make_catalog()
    add_lines(opp, alice, cat)
    catalog.add_effort(opp, actor=alice, role="delivery", person_days=10, day_rate=500_000)
    quote = quoting.create_quote(opp, actor=alice)
    rule = approvals.save_rule(
        actor=root,
        approvers=[personas["mina"]],
        name="큰 할인",
        field=ApprovalRule.Field.DISCOUNT,
        operator=ApprovalRule.Operator.GT,
        threshold=50,
    )
    member = team.add_team_member(opp, actor=alice, user=personas["bob"], role=TeamRole.SOLUTION_ARCHITECT)
    buyer = team.add_buyer(
        opp, actor=alice, contact=contact, buying_role=BuyerRole.values[0], buying_step=BuyingStep.values[0]
    )
    item = ChecklistItem.objects.create(text="고객 측 PM이 지정되었는가?", text_en="Customer PM named?")
    dave = User.objects.create_user(username="dave", password="x", role=Role.DELIVERY, display_name="Dave")
    package = delivery.start_package(opp, actor=alice)
    delivery.update_package(package, actor=alice, changes={"delivery_lead": dave}, expected_version=None)
    delivery.answer_item(package, item, actor=alice, state="answered", evidence="최지은")
    delivery.submit_package(package, actor=alice, override_reason="sample world")
    project = delivery.accept(package, actor=dave, pm=dave)
    activity = activities.create_activity(
        actor=alice, record=world["account"], kind="minutes", subject="킥오프", body="? 예산은 확정인가"
    )
    question = activities.add_question(activity, actor=alice, question="일정은?")
    attachment = activities.attach_file(
        activity, actor=alice, upload=SimpleUploadedFile("memo.txt", b"hello", content_type="text/plain")
    )
    template = mail.save_template(
        None, actor=alice, name="인사", language="ko", subject="안녕하세요", body="{{ contact_name }}님"
    )
    review = mail.log_inbound_email(
        b"From: someone@example.com\r\nTo: x@example.com\r\nSubject: hi\r\n\r\nhello\r\n",
        rcpt_tos=[mail.logging_address(alice)],
    )
    token, _secret = create_api_token(root, name="sample")
    competitor = OpportunityCompetitor.objects.create(
        opportunity=opp, competitor=Competitor.objects.create(name="경쟁사"), added_by=alice
    )
    keys = activities.keys_for(root)
    return {
        **world,
        "quote": quote,
        "rule": rule,
        "member": member,
        "buyer": buyer,
        "item": item,
        "package": package,
        "project": project,
        "activity": activity,
        "question": question,
        "attachment": attachment,
        "template": template,
        "review": review,
        "token": token,
        "competitor": competitor,
        "keys": keys,
        "line": opp.line_items.order_by("pk").first(),
        "effort": opp.efforts.order_by("pk").first(),
    }


def _pk(key: str) -> Callable[[dict], dict]:
    return lambda w: {"pk": w[key].pk}


def _record(kind: str, key: str) -> Callable[[dict], dict]:
    return lambda w: {"kind": kind, "pk": w[key].pk}


def _first(model_path: str, **filters: Any) -> Any:
    from django.apps import apps

    return apps.get_model(model_path).objects.filter(**filters).order_by("pk").first()


SAMPLES: dict[str, Callable[[dict], dict]] = {
    "accounts:detail": _pk("account"),
    "accounts:edit": _pk("account"),
    "contacts:detail": _pk("contact"),
    "contacts:edit": _pk("contact"),
    "leads:detail": _pk("lead"),
    "leads:edit": _pk("lead"),
    "leads:status": _pk("lead"),
    "leads:interaction": _pk("lead"),
    "leads:convert": _pk("lead"),
    "activities:detail": _pk("activity"),
    "activities:edit": _pk("activity"),
    "activities:complete": _pk("activity"),
    "activities:reschedule": _pk("activity"),
    "activities:question_add": _pk("activity"),
    "activities:attach": _pk("activity"),
    "activities:question_answer": _pk("question"),
    "activities:record": _record("account", "account"),
    "activities:panel": _record("opportunity", "opportunity"),
    "activities:feed_page": _record("account", "account"),
    "activities:comment": _record("account", "account"),
    "activities:follow": _record("account", "account"),
    "activities:request": _record("opportunity", "opportunity"),
    "activities:compose": _record("contact", "contact"),
    "activities:attachment": _pk("attachment"),
    "activities:template_edit": _pk("template"),
    "activities:review_resolve": _pk("review"),
    "activities:ical": lambda w: {"token": w["keys"].calendar_token},
    "core:token_revoke": _pk("token"),
    # Custom fields are made in their own tests: here the pages must answer 404, never 500.
    "core:custom_field_edit": lambda w: {"pk": 10**9},
    "core:custom_field_archive": lambda w: {"pk": 10**9},
    "core:custom_field_type": lambda w: {"pk": 10**9},
    "core:rule_edit": lambda w: {"pk": 10**9},
    "core:rule_test": lambda w: {"pk": 10**9},
    "core:rule_toggle": lambda w: {"pk": 10**9},
    "deals:quote": _pk("quote"),
    "deals:quote_pdf": _pk("quote"),
    "deals:quote_submit": _pk("quote"),
    "deals:quote_recall": _pk("quote"),
    "deals:quote_primary": _pk("quote"),
    "deals:line_remove": lambda w: {"pk": w["opportunity"].pk, "line_id": w["line"].pk if w["line"] else 1},
    "deals:effort_remove": lambda w: {
        "pk": w["opportunity"].pk,
        "effort_id": w["effort"].pk if w["effort"] else 1,
    },
    "deals:team_remove": lambda w: {"pk": w["opportunity"].pk, "kind": "member", "entry_id": w["member"].pk},
    "deals:approval_rule_toggle": lambda w: {"rule_id": w["rule"].pk},
    "delivery:handoff": lambda w: {"opportunity_pk": w["opportunity"].pk},
    "delivery:package": _pk("package"),
    "delivery:package_edit": _pk("package"),
    "delivery:submit": _pk("package"),
    "delivery:review": _pk("package"),
    "delivery:answer": lambda w: {"pk": w["package"].pk, "item_id": w["item"].pk},
    "delivery:project": _pk("project"),
    # Contracts are made in the success app's own tests: here the pages must answer 404, never 500.
    "success:contract": lambda w: {"pk": 10**9},
    "success:amend": lambda w: {"pk": 10**9},
    "success:terminate": lambda w: {"pk": 10**9},
    "success:renewal_outcome": lambda w: {"pk": 10**9},
    "success:create": lambda w: {"opportunity_pk": w["opportunity"].pk},
    "success:deal_panel": lambda w: {"opportunity_pk": w["opportunity"].pk},
    "success:installed_base": lambda w: {"account_pk": w["account"].pk},
    "partners:deal_panel": lambda w: {"opportunity_pk": w["opportunity"].pk},
    "partners:link": lambda w: {"opportunity_pk": w["opportunity"].pk},
    # Registrations are made in the partners app's own tests: here the pages must answer 404, never 500.
    **{f"partners:{name}": (lambda w: {"pk": 10**9}) for name in ("registration", "approve", "reject")},
    **{f"portal:{name}": (lambda w: {"pk": 10**9}) for name in ("registration", "deal")},
    "success:case": lambda w: {"pk": 10**9},
    "success:case_status": lambda w: {"pk": 10**9},
    "success:case_comment": lambda w: {"pk": 10**9},
    "success:case_assign": lambda w: {"pk": 10**9},
    "success:case_new": lambda w: {"account_pk": w["account"].pk},
    "success:record_nps": lambda w: {"account_pk": w["account"].pk},
    "success:plan": lambda w: {"pk": 10**9},
    "success:milestone_add": lambda w: {"pk": 10**9},
    "success:milestone_done": lambda w: {"pk": 10**9},
    "success:plan_new": lambda w: {"account_pk": w["account"].pk},
    "process:drill": lambda w: {"key": "nurturing", "metric": "wip"},
    "process:record": _record("opportunity", "opportunity"),
    "process:move": _record("opportunity", "opportunity"),
    "process:qualify": _record("lead", "lead"),
    "process:recycle": _record("lead", "lead"),
    "process:design_stage": lambda w: {"pk": _first("process.ProcessStage").pk},
    "process:design_stage_create": lambda w: {"dept": _first("process.Department").pk},
    "process:design_criterion": lambda w: {"stage_pk": _first("process.ProcessStage").pk},
    "scoring:competitor_remove": _pk("competitor"),
    # A merge that does not exist: the page must answer 404, never 500 (merges are made in their own tests).
    "accounts:merge_detail": lambda w: {"merge_id": 10**9},
    "insights:report": lambda w: {"pk": _first("insights.SavedReport", is_builtin=True).pk},
    "insights:campaign_cost": lambda w: {"pk": 10**9},
    "security:password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "privacy:consent_panel": _record("contact", "contact"),
    "privacy:consent_add": _record("contact", "contact"),
    "sharing:panel": _record("contact", "contact"),
    "sharing:add": _record("contact", "contact"),
    "sharing:revoke": lambda w: {"kind": "contact", "pk": w["contact"].pk, "share_id": 10**9},
    "privacy:retention_preview": lambda w: {"pk": 10**9},
    "privacy:retention_apply": lambda w: {"pk": 10**9},
    "privacy:retention_delete": lambda w: {"pk": 10**9},
    "automation:edit": lambda w: {"pk": 10**9},
    "automation:toggle": lambda w: {"pk": 10**9},
    "automation:dry_run": lambda w: {"pk": 10**9},
    "automation:retry": lambda w: {"pk": 10**9},
    "automation:record_runs": _record("account", "account"),
    "automation:record_panel": _record("opportunity", "opportunity"),
    # Contracts and cases are made in the success app's own tests: a missing one answers 404.
    "core:custom_field_panel": lambda w: {"kind": "case", "pk": 10**9},
    "core:custom_field_values": lambda w: {"kind": "contract", "pk": 10**9},
    "success:invoice": lambda w: {"pk": 10**9},
    # Partners, agreements, passed leads and resources are made in the partners app's own tests.
    **{
        f"partners:{name}": (lambda w: {"pk": 10**9})
        for name in ("detail", "edit", "agreement_add", "agreement_edit")
    },
    "partners:lead_panel": lambda w: {"lead_pk": w["lead"].pk},
    **{f"portal:{name}": (lambda w: {"pk": 10**9}) for name in ("lead", "price_list", "download")},
    # Import jobs are made in their own tests: a job that does not exist answers 404, never 500.
    **{
        f"transfer:{name}": (lambda w: {"pk": 10**9})
        for name in ("job", "progress", "errors", "mapping", "dry_run", "run", "pause", "resume", "rollback")
    },
    # Webhook endpoints and deliveries are made in their own tests: a missing one answers 404.
    **{
        f"integrations:{name}": (lambda w: {"pk": 10**9})
        for name in ("endpoint", "rotate", "delivery", "redeliver", "webform")
    },
    "integrations:webform_public": lambda w: {"token": "no-such-form"},
    "integrations:account_export": _pk("account"),
    # --- layouts15 ---
    "core:page_layout": lambda w: {"kind": "lead", "role": "field_sales"},
    "core:page_layout_reset": lambda w: {"kind": "lead", "role": "all"},
}
# Routes under these namespaces take the namespace's main record as ``pk`` unless SAMPLES says otherwise.
NAMESPACE_PK = {
    "deals": "opportunity",
    "leads": "lead",
    "accounts": "account",
    "contacts": "contact",
    "activities": "activity",
}
SCORING_PK = {"leads/": "lead", "deals/": "opportunity"}
FALLBACK_IDS = {"pk": 1, "kind": "lead", "key": "x", "metric": "x", "token": "x"}


def sample_kwargs(route: Route, world: dict) -> tuple[dict[str, Any], bool]:
    """(kwargs, sampled): ``sampled`` is False when a fallback value had to be used."""
    if not route.kwargs:
        return {}, True
    if route.name in SAMPLES:
        return SAMPLES[route.name](world), True
    namespace = route.name.split(":")[0]
    if route.kwargs == ("pk",):
        key = NAMESPACE_PK.get(namespace)
        if namespace == "scoring":
            key = next((v for p, v in SCORING_PK.items() if route.pattern.startswith("scoring/" + p)), None)
        if key:
            return {"pk": world[key].pk}, True
    return {k: FALLBACK_IDS.get(k, 1) for k in route.kwargs}, False


def page_urls(world: dict) -> Iterator[tuple[Route, str, bool]]:
    for route in all_routes():
        kwargs, sampled = sample_kwargs(route, world)
        yield route, reverse(route.name, kwargs=kwargs), sampled
