"""The cast of the permission matrix, what each persona is blind to, and the shape of an entry
(``Expect``); the tables live beside it in ``routes``, ``operations`` and ``bodies``."""

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
