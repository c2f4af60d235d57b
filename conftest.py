"""Test personas shared by every app's tests (after healthchecks' alice/bob/charlie).

- alice: field sales rep on team "Field Sales 1"; owns the records in ``world``.
- bob: alice's teammate (same team): sees and edits alice's records.
- charlie: a rep on "Field Sales 2": an outsider to alice's records (404).
- mina: sales manager of "Sales" (the parent of both teams): sees both teams.
- dana: manager of "Field Sales 1" only.
- root: administrator: sees everything.
- ``cast``: the other roles of seed 000 (marketing, inside sales, CSM, delivery, approver, solution
  architect, partner manager), each on a team of their own.
"""

from __future__ import annotations

import pytest

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test for nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Tests assert on the English source strings. The product's default is Korean, and with the
    # compiled catalogue a request without Accept-Language would render Korean; tests of the Korean
    # UI ask for it explicitly (Accept-Language, user.language, translation.override).
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _rescore_at_once(monkeypatch):
    # A lead write enqueues its rescore after the commit (scoring/scores/deferred.py), and the commit
    # never comes inside a test's transaction: tests get the score at once, as if the worker had run.
    # scoring/tests/test_events.py and core/tests/test_write_costs.py put the real deferral back.
    from baton.scoring.scores import deferred

    monkeypatch.setattr(
        deferred, "schedule_rescore", lambda lead_id: deferred.rescore_leads_later.call([lead_id])
    )


@pytest.fixture(autouse=True)
def _no_field_protection_rules():
    # Every test starts with no field protection rules; the process's copy of them (core.fieldaccess)
    # must agree whatever an earlier, rolled-back test left in it.
    from baton.core import fieldaccess

    fieldaccess.preload({})


@pytest.fixture(autouse=True)
def _no_page_layouts():
    # Every test starts with no page layouts (core.layouts keeps a per-process copy, like field
    # protection), whatever an earlier, rolled-back test left in it.
    from baton.core.layouts import resolve

    resolve.preload({})


@pytest.fixture
def personas(db):
    from baton.core.models import Role, Team, User

    sales = Team.objects.create(name="Sales")
    fs1 = Team.objects.create(name="Field Sales 1", parent=sales)
    fs2 = Team.objects.create(name="Field Sales 2", parent=sales)

    def make(username, role, team, **extra):
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@baton.test",
            role=role,
            team=team,
            display_name=username.capitalize(),
            **extra,
        )
        return user

    people = {
        "alice": make("alice", Role.FIELD_SALES, fs1),
        "bob": make("bob", Role.FIELD_SALES, fs1),
        "charlie": make("charlie", Role.FIELD_SALES, fs2),
        "mina": make("mina", Role.SALES_MANAGER, sales),
        "dana": make("dana", Role.SALES_MANAGER, fs1),
        "root": make("root", Role.ADMIN, None),
    }
    sales.manager = people["mina"]
    sales.save()
    fs1.manager = people["dana"]
    fs1.save()
    people["teams"] = {"sales": sales, "fs1": fs1, "fs2": fs2}
    return people


@pytest.fixture
def alice(personas):
    return personas["alice"]


@pytest.fixture
def bob(personas):
    return personas["bob"]


@pytest.fixture
def charlie(personas):
    return personas["charlie"]


@pytest.fixture
def mina(personas):
    return personas["mina"]


@pytest.fixture
def root(personas):
    return personas["root"]


@pytest.fixture
def world(personas):
    """One of everything, owned by alice: a lead, an account with a contact, an open opportunity."""
    from baton.accounts.services import create_account, create_contact
    from baton.deals.services import create_opportunity
    from baton.leads.services import create_lead

    alice = personas["alice"]
    account = create_account(
        actor=alice, name="(주)한빛소프트", brn="220-81-62517", website="https://www.hanbit.co.kr"
    )
    contact = create_contact(
        actor=alice, account=account, name="김민준", email="minjun@hanbit.co.kr", title="IT팀장"
    )
    opportunity = create_opportunity(
        actor=alice, name="한빛 ERP 교체", account=account, primary_contact=contact, amount=120_000_000
    )
    lead = create_lead(
        actor=alice,
        name="이서연",
        company="새봄물산 주식회사",
        email="seoyeon@saebom.kr",
        phone="01012345678",
    )
    return {"account": account, "contact": contact, "opportunity": opportunity, "lead": lead}


@pytest.fixture
def cast(personas):
    """The rest of seed 000's cast, beside the sales personas: each on their own team.

    mark (marketing), ines (inside sales), cara (customer success), dave (delivery), fin (approver),
    sam (solution architect), pat (partner manager)."""
    from baton.core.models import Role, Team, User

    def make(username, role, team_name):
        team, _ = Team.objects.get_or_create(name=team_name)
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@baton.test",
            role=role,
            team=team,
            display_name=username.capitalize(),
        )

    people = dict(personas)
    people.update(
        mark=make("mark", Role.MARKETING, "Marketing"),
        ines=make("ines", Role.INSIDE_SALES, "Inside Sales"),
        cara=make("cara", Role.CUSTOMER_SUCCESS, "Customer Success"),
        dave=make("dave", Role.DELIVERY, "Delivery"),
        fin=make("fin", Role.APPROVER, "Finance"),
        sam=make("sam", Role.SOLUTION_ARCHITECT, "Presales"),
        pat=make("pat", Role.PARTNER_MANAGER, "Partners"),
    )
    return people


def login(client, user):
    client.force_login(user)
    return client


# --- browser tests -------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright. Skipped locally when Chromium is missing; in CI
    (CI=true) a missing browser is a failure, so the browser tests can never silently vanish."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls made by test code in
    # between page actions are ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would; when someone is signed in already, sign
    them out through the user menu first (clearing cookies under a live page races its requests)."""
    if page.get_by_test_id("user-menu").count():
        page.get_by_test_id("user-menu").click()
        page.get_by_test_id("logout").click()
        page.wait_for_url("**/login/**")
    else:
        page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def browser_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# --- transactional tests ---------------------------------------------------------------------------

# The rows data migrations create, as (migration module, forward function, "is it there?" check).
# A transactional test ends by flushing every table (post_migrate then re-creates content types with
# new ids), so the next one would find no default pipeline, no stage design and no scoring rules; each
# such test puts them back before it runs. This replaces serialized_rollback, whose reload collides
# with the content types a plain transactional test's flush re-creates.
_DATA_MIGRATIONS = [
    ("baton.deals.migrations.0002_default_pipeline_and_lost_reasons", "create_defaults", "deals.Pipeline"),
    ("baton.deals.migrations.0006_stage_forecast_category_owner_call", "set_stage_defaults", None),
    ("baton.insights.migrations.0002_seven_questions_reports", "create_reports", "insights.SavedReport"),
    ("baton.process.migrations.0002_default_design_from_the_model", "load_design", "process.ProcessStage"),
    ("baton.scoring.migrations.0002_default_rules_and_reasons", "forwards", "scoring.ScoringRule"),
    ("baton.scoring.migrations.0003_scoring_rule_label_en", "forwards", None),
]


def restore_data_migration_rows() -> None:
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
    for module_name, function, probe in _DATA_MIGRATIONS:
        if probe is not None and apps.get_model(probe).objects.exists():
            continue
        getattr(importlib.import_module(module_name), function)(apps, None)
    # Caches keyed by ids that a flush may have invalidated.
    try:
        from baton.process import design

        if hasattr(design, "clear_cache"):
            design.clear_cache()
    except ImportError:
        pass


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("_django_db_helper")
        restore_data_migration_rows()
