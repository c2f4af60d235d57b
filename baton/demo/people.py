"""The demo organisation: teams, one user per role (shared, published password), the logins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from baton.core.models import Role, Team, User
from baton.demo.base import WorldBase

DEMO_PASSWORD = "baton-demo-2026"

# --- the organisation -------------------------------------------------------------------------

# (team name, parent team name or None)
DEMO_TEAMS: list[tuple[str, str | None]] = [
    ("영업본부", None),
    ("마케팅팀", None),
    ("인사이드세일즈팀", "영업본부"),
    ("영업1팀 (엔터프라이즈)", "영업본부"),
    ("영업2팀 (공공/중견)", "영업본부"),
    ("솔루션팀", "영업본부"),
    ("파트너팀", "영업본부"),
    ("영업관리팀", None),
    ("수행팀", None),
    ("고객성공팀", None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    team: str | None
    manages: str | None = None
    title: str = ""


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "최관리", Role.ADMIN, None, title="시스템 관리자"),
    DemoUser("manager", "박성호", Role.SALES_MANAGER, "영업본부", manages="영업본부", title="영업본부장"),
    DemoUser("marketing", "이수진", Role.MARKETING, "마케팅팀", manages="마케팅팀", title="마케팅팀장"),
    DemoUser(
        "isr",
        "정다은",
        Role.INSIDE_SALES,
        "인사이드세일즈팀",
        manages="인사이드세일즈팀",
        title="인사이드세일즈",
    ),
    DemoUser(
        "ae1",
        "김지훈",
        Role.FIELD_SALES,
        "영업1팀 (엔터프라이즈)",
        manages="영업1팀 (엔터프라이즈)",
        title="엔터프라이즈 영업 팀장",
    ),
    DemoUser("ae2", "윤서준", Role.FIELD_SALES, "영업1팀 (엔터프라이즈)", title="엔터프라이즈 영업"),
    DemoUser(
        "ae3",
        "한지민",
        Role.FIELD_SALES,
        "영업2팀 (공공/중견)",
        manages="영업2팀 (공공/중견)",
        title="공공/중견 영업 팀장",
    ),
    DemoUser("ae4", "오민석", Role.FIELD_SALES, "영업2팀 (공공/중견)", title="공공/중견 영업"),
    DemoUser(
        "sa", "강태희", Role.SOLUTION_ARCHITECT, "솔루션팀", manages="솔루션팀", title="솔루션 아키텍트"
    ),
    DemoUser("specialist", "임동현", Role.SPECIALIST_SALES, "솔루션팀", title="보안 스페셜리스트"),
    DemoUser(
        "channel", "서유진", Role.PARTNER_MANAGER, "파트너팀", manages="파트너팀", title="파트너 매니저"
    ),
    # People at partner organisations (baton/partners demo): they sign in to the partner portal only.
    DemoUser("partner", "정하늘", Role.PARTNER, None, title="누리시스템 영업대표"),
    DemoUser("partner2", "배수아", Role.PARTNER, None, title="다온정보기술 영업대표"),
    DemoUser("partner3", "문태오", Role.PARTNER, None, title="한결솔루션 대표"),
    DemoUser(
        "ops", "신혜진", Role.OPERATIONS, "영업관리팀", manages="영업관리팀", title="영업관리(법무/재무)"
    ),
    DemoUser("approver", "황병철", Role.APPROVER, "영업관리팀", title="영업 전무 (승인권자)"),
    DemoUser("delivery", "권재현", Role.DELIVERY, "수행팀", manages="수행팀", title="수행 PM"),
    DemoUser(
        "csm",
        "송하은",
        Role.CUSTOMER_SUCCESS,
        "고객성공팀",
        manages="고객성공팀",
        title="고객성공 매니저",
    ),
]
DEMO_USERNAMES = [u.username for u in DEMO_USERS]
# Team names of demo worlds seeded before the teams had Korean names (wiped by --reset too).
LEGACY_DEMO_TEAMS = [
    "Sales",
    "Marketing",
    "Inside Sales",
    "Field Sales 1 (Enterprise)",
    "Field Sales 2 (Public/SMB)",
    "Solutions",
    "Partners",
    "Operations",
    "Delivery",
    "Customer Success",
]


class PeopleWorld(WorldBase):
    """Teams and users first: every later record has an owner among them."""

    def build_org(self) -> None:
        for name, parent in DEMO_TEAMS:
            self.teams[name] = Team.objects.create(
                name=name, parent=self.teams.get(parent) if parent else None
            )
        # One hash for every demo user: PBKDF2 is deliberately slow, and the password is public anyway.
        password = make_password(DEMO_PASSWORD)
        joined = self.now - dt.timedelta(days=400)
        for spec in DEMO_USERS:
            admin = spec.role == Role.ADMIN
            user = User.objects.create(
                username=spec.username,
                display_name=spec.display_name,
                role=spec.role,
                team=self.teams.get(spec.team) if spec.team else None,
                email=f"{spec.username}@baton.demo",
                password=password,
                is_staff=admin,
                is_superuser=admin,
                last_name=spec.display_name[:1],
                first_name=spec.display_name[1:],
                date_joined=joined,
                phone=self.mobile(),
            )
            self.users[spec.username] = user
            if spec.manages:
                team = self.teams[spec.manages]
                team.manager = user
                team.save(update_fields=["manager"])


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role label, display name) of every demo user that exists."""
    existing = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    rows = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        if user is not None:
            rows.append((spec.username, DEMO_PASSWORD, str(Role(spec.role).label), user.display_name))
    return rows


def format_logins(rows: list[tuple[str, str, str, str]], style: Callable[[str], str] = str) -> str:
    width = max((len(r[0]) for r in rows), default=8)
    lines = [style(f"{'username':<{width}}  {'password':<16}  role / name")]
    lines += [f"{u:<{width}}  {p:<16}  {role} / {name}" for u, p, role, name in rows]
    return "\n".join(lines)
