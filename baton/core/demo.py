"""A believable Korean B2B demo world: teams, a user per role, accounts, leads, deals, a year of history.

Everything is written through the domain services, so the change log, versions and derived fields
(name keys, domains, teams) are exactly what real use produces. Services stamp "now" on what they
write; to spread the world over a year, the seeder then back-dates the timestamps it knows about
(``created_at``, ``updated_at``, ``stage_changed_at``, ``closed_at``, ``converted_at``, interaction
``occurred_at`` and the change-log ``time`` of each write) with queryset ``.update()`` calls.
That rewriting of history is for demo data only: real records are never back-dated.

The same seed always produces the same world (``random.Random(seed)``); only "now" moves.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from baton.accounts.models import Account, BuyerRole, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.audit import audit_context, new_job_id
from baton.core.choices import CompanySize, Industry, Region
from baton.core.demo_sales import seed_sales
from baton.core.korean import brn_check_digit, format_brn, normalize_company
from baton.core.models import ApiToken, ChangeLog, Role, Team, User
from baton.core.phones import parse_phone
from baton.deals.models import ForecastCategory, LostReason, Opportunity, Stage
from baton.deals.services import create_opportunity, default_pipeline, move_opportunity, update_opportunity
from baton.leads.models import Campaign, Lead, LeadInteraction, LeadSource, LeadStatus
from baton.leads.services import convert_lead, create_campaign, create_lead, log_interaction, update_lead
from baton.process import services as process
from baton.process.models import HandOff, ProcessStage, QualificationAnswer, Recycle, StageHistory

DEMO_PASSWORD = "baton-demo-2026"
DEFAULT_SEED = 2026

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
        "partner", "서유진", Role.PARTNER_MANAGER, "파트너팀", manages="파트너팀", title="파트너 매니저"
    ),
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

# --- Korean names --------------------------------------------------------------------------------

# Surname, romanisation, rough weight (per cent of the population).
SURNAMES: list[tuple[str, str, float]] = [
    ("김", "kim", 21.5),
    ("이", "lee", 14.7),
    ("박", "park", 8.4),
    ("최", "choi", 4.7),
    ("정", "jung", 4.3),
    ("강", "kang", 2.3),
    ("조", "cho", 2.1),
    ("윤", "yoon", 2.1),
    ("장", "jang", 2.0),
    ("임", "lim", 1.7),
    ("한", "han", 1.5),
    ("오", "oh", 1.5),
    ("서", "seo", 1.5),
    ("신", "shin", 1.5),
    ("권", "kwon", 1.4),
    ("황", "hwang", 1.4),
    ("안", "ahn", 1.3),
    ("송", "song", 1.3),
    ("류", "ryu", 1.2),
    ("홍", "hong", 1.1),
    ("전", "jeon", 1.1),
    ("고", "ko", 0.9),
    ("문", "moon", 0.9),
    ("양", "yang", 0.8),
    ("손", "son", 0.8),
    ("배", "bae", 0.8),
    ("백", "baek", 0.7),
    ("허", "heo", 0.6),
    ("남", "nam", 0.5),
    ("노", "noh", 0.5),
]
GIVEN_NAMES: list[tuple[str, str]] = [
    ("민준", "minjun"),
    ("서준", "seojun"),
    ("도윤", "doyun"),
    ("예준", "yejun"),
    ("시우", "siwoo"),
    ("하준", "hajun"),
    ("지호", "jiho"),
    ("주원", "juwon"),
    ("지훈", "jihoon"),
    ("현우", "hyunwoo"),
    ("준서", "junseo"),
    ("건우", "gunwoo"),
    ("우진", "woojin"),
    ("성민", "sungmin"),
    ("동현", "donghyun"),
    ("재현", "jaehyun"),
    ("상훈", "sanghoon"),
    ("영수", "youngsoo"),
    ("정호", "jungho"),
    ("성호", "sungho"),
    ("태희", "taehee"),
    ("서연", "seoyeon"),
    ("서윤", "seoyun"),
    ("지우", "jiwoo"),
    ("서현", "seohyun"),
    ("민서", "minseo"),
    ("하은", "haeun"),
    ("하윤", "hayun"),
    ("윤서", "yoonseo"),
    ("지민", "jimin"),
    ("채원", "chaewon"),
    ("수빈", "subin"),
    ("지은", "jieun"),
    ("은지", "eunji"),
    ("수진", "sujin"),
    ("미영", "miyoung"),
    ("혜진", "hyejin"),
    ("유진", "yujin"),
    ("다은", "daeun"),
    ("소영", "soyoung"),
    ("민지", "minji"),
    ("예린", "yerin"),
    ("현정", "hyunjung"),
    ("정민", "jungmin"),
    ("승현", "seunghyun"),
    ("경호", "kyungho"),
    ("병철", "byungchul"),
    ("진영", "jinyoung"),
    ("은영", "eunyoung"),
    ("상욱", "sangwook"),
    ("종민", "jongmin"),
    ("용준", "yongjun"),
    ("기현", "kihyun"),
    ("나연", "nayeon"),
    ("보람", "boram"),
]

# --- Korean companies ----------------------------------------------------------------------------

COMPANY_PREFIXES: list[tuple[str, str]] = [
    ("한빛", "hanbit"),
    ("대한", "daehan"),
    ("새봄", "saebom"),
    ("미래", "mirae"),
    ("동방", "dongbang"),
    ("세종", "sejong"),
    ("한결", "hangyeol"),
    ("푸른", "pureun"),
    ("다온", "daon"),
    ("누리", "nuri"),
    ("가온", "gaon"),
    ("해솔", "haesol"),
    ("별빛", "byeolbit"),
    ("태평", "taepyung"),
    ("금강", "geumgang"),
    ("한울", "hanul"),
    ("청운", "cheongun"),
    ("동서", "dongseo"),
    ("삼화", "samhwa"),
    ("제일", "jeil"),
    ("신성", "shinsung"),
    ("아름", "areum"),
    ("온누리", "onnuri"),
    ("한마음", "hanmaum"),
    ("대성", "daesung"),
    ("동양", "dongyang"),
    ("성원", "sungwon"),
    ("오성", "ohsung"),
    ("진화", "jinhwa"),
    ("혜성", "hyesung"),
    ("은하", "eunha"),
    ("두리", "duri"),
    ("나래", "narae"),
    ("늘품", "neulpum"),
    ("하나로", "hanaro"),
    ("파란", "paran"),
    ("초록", "chorok"),
    ("바른", "bareun"),
    ("큰별", "keunbyeol"),
    ("다인", "dain"),
    ("유니", "uni"),
    ("넥스", "nex"),
    ("에이스", "ace"),
    ("코리아", "korea"),
    ("서해", "seohae"),
    ("한라", "halla"),
    ("백두", "baekdu"),
    ("한강", "hangang"),
    ("동해", "donghae"),
    ("새한", "saehan"),
]
# Suffix, romanisation, industry, typical sizes.
COMPANY_SUFFIXES: list[tuple[str, str, str]] = [
    ("소프트", "soft", Industry.IT),
    ("테크", "tech", Industry.IT),
    ("시스템", "systems", Industry.IT),
    ("데이터", "data", Industry.IT),
    ("클라우드", "cloud", Industry.IT),
    ("정보기술", "it", Industry.IT),
    ("정보통신", "ict", Industry.TELECOM),
    ("네트웍스", "networks", Industry.TELECOM),
    ("텔레콤", "telecom", Industry.TELECOM),
    ("물산", "trading", Industry.RETAIL),
    ("유통", "retail", Industry.RETAIL),
    ("상사", "corp", Industry.RETAIL),
    ("리테일", "retail", Industry.RETAIL),
    ("바이오", "bio", Industry.HEALTHCARE),
    ("제약", "pharm", Industry.HEALTHCARE),
    ("메디칼", "medical", Industry.HEALTHCARE),
    ("정밀", "precision", Industry.MANUFACTURING),
    ("전자", "electronics", Industry.MANUFACTURING),
    ("기계", "machinery", Industry.MANUFACTURING),
    ("화학", "chem", Industry.MANUFACTURING),
    ("산업", "industrial", Industry.MANUFACTURING),
    ("식품", "foods", Industry.MANUFACTURING),
    ("오토텍", "autotech", Industry.MANUFACTURING),
    ("건설", "enc", Industry.CONSTRUCTION),
    ("엔지니어링", "eng", Industry.CONSTRUCTION),
    ("물류", "logis", Industry.LOGISTICS),
    ("해운", "shipping", Industry.LOGISTICS),
    ("에너지", "energy", Industry.ENERGY),
    ("전력", "power", Industry.ENERGY),
    ("미디어", "media", Industry.MEDIA),
    ("엔터테인먼트", "ent", Industry.MEDIA),
    ("캐피탈", "capital", Industry.FINANCE),
    ("증권", "securities", Industry.FINANCE),
    ("손해보험", "insurance", Industry.FINANCE),
    ("에듀", "edu", Industry.EDUCATION),
]
# Public-sector and education customers: (name, domain, industry, region).
PUBLIC_BODIES: list[tuple[str, str, str, str]] = [
    ("한국스마트도시공사", "smartcity.or.kr", Industry.PUBLIC, Region.SEJONG),
    ("경기디지털진흥원", "gdpa.or.kr", Industry.PUBLIC, Region.GYEONGGI),
    ("부산정보산업재단", "bipf.or.kr", Industry.PUBLIC, Region.BUSAN),
    ("대전과학기술원", "djst.ac.kr", Industry.EDUCATION, Region.DAEJEON),
    ("한국물류정보공사", "klic.or.kr", Industry.PUBLIC, Region.SEJONG),
    ("서울미래대학교", "smu-future.ac.kr", Industry.EDUCATION, Region.SEOUL),
    ("광주에너지공사", "gjenergy.or.kr", Industry.ENERGY, Region.GWANGJU),
    ("한국보건데이터원", "khdi.or.kr", Industry.HEALTHCARE, Region.CHUNGCHEONG),
]

REGION_WEIGHTS: list[tuple[str, int]] = [
    (Region.SEOUL, 40),
    (Region.GYEONGGI, 24),
    (Region.INCHEON, 5),
    (Region.BUSAN, 6),
    (Region.DAEGU, 4),
    (Region.DAEJEON, 4),
    (Region.GWANGJU, 3),
    (Region.ULSAN, 3),
    (Region.SEJONG, 1),
    (Region.CHUNGCHEONG, 3),
    (Region.GYEONGSANG, 3),
    (Region.JEOLLA, 2),
    (Region.GANGWON, 1),
    (Region.JEJU, 1),
]
AREA_CODES = {
    Region.SEOUL: "02",
    Region.GYEONGGI: "031",
    Region.INCHEON: "032",
    Region.BUSAN: "051",
    Region.DAEGU: "053",
    Region.DAEJEON: "042",
    Region.GWANGJU: "062",
    Region.ULSAN: "052",
    Region.SEJONG: "044",
    Region.CHUNGCHEONG: "041",
    Region.GYEONGSANG: "055",
    Region.JEOLLA: "063",
    Region.GANGWON: "033",
    Region.JEJU: "064",
    Region.OVERSEAS: "02",
}
ADDRESSES = {
    Region.SEOUL: [
        "서울특별시 강남구 테헤란로",
        "서울특별시 중구 세종대로",
        "서울특별시 영등포구 여의대로",
        "서울특별시 금천구 가산디지털1로",
        "서울특별시 마포구 월드컵북로",
        "서울특별시 송파구 올림픽로",
    ],
    Region.GYEONGGI: [
        "경기도 성남시 분당구 판교역로",
        "경기도 수원시 영통구 광교로",
        "경기도 안양시 동안구 시민대로",
        "경기도 화성시 동탄대로",
    ],
    Region.INCHEON: ["인천광역시 연수구 송도과학로", "인천광역시 남동구 남동대로"],
    Region.BUSAN: ["부산광역시 해운대구 센텀중앙로", "부산광역시 강서구 녹산산업중로"],
    Region.DAEGU: ["대구광역시 동구 동대구로", "대구광역시 달서구 성서공단로"],
    Region.DAEJEON: ["대전광역시 유성구 대덕대로", "대전광역시 서구 둔산로"],
    Region.GWANGJU: ["광주광역시 북구 첨단과기로"],
    Region.ULSAN: ["울산광역시 남구 산업로"],
    Region.SEJONG: ["세종특별자치시 한누리대로"],
    Region.CHUNGCHEONG: ["충청남도 천안시 서북구 불당대로"],
    Region.GYEONGSANG: ["경상남도 창원시 성산구 중앙대로"],
    Region.JEOLLA: ["전라북도 전주시 덕진구 기린대로"],
    Region.GANGWON: ["강원특별자치도 춘천시 중앙로"],
    Region.JEJU: ["제주특별자치도 제주시 첨단로"],
}

CONTACT_TITLES = [
    ("대리", 6),
    ("과장", 10),
    ("차장", 8),
    ("부장", 8),
    ("팀장", 12),
    ("IT팀장", 6),
    ("정보전략팀장", 3),
    ("이사", 5),
    ("상무", 3),
    ("CIO", 2),
    ("CTO", 2),
    ("CFO", 1),
    ("구매담당", 4),
    ("대표이사", 1),
]
DEPARTMENTS = [
    "IT팀",
    "정보전략팀",
    "전산실",
    "구매팀",
    "재무팀",
    "경영지원팀",
    "생산관리팀",
    "보안팀",
    "디지털혁신실",
    "기획조정실",
]
BUYER_ROLE_BY_TITLE = {
    "대표이사": BuyerRole.ECONOMIC_BUYER,
    "CFO": BuyerRole.ECONOMIC_BUYER,
    "상무": BuyerRole.ECONOMIC_BUYER,
    "CIO": BuyerRole.ECONOMIC_BUYER,
    "CTO": BuyerRole.TECHNICAL_EVALUATOR,
    "이사": BuyerRole.INFLUENCER,
    "IT팀장": BuyerRole.CHAMPION,
    "정보전략팀장": BuyerRole.CHAMPION,
    "팀장": BuyerRole.CHAMPION,
    "구매담당": BuyerRole.PROCUREMENT,
    "과장": BuyerRole.TECHNICAL_EVALUATOR,
    "대리": BuyerRole.USER,
}

CAMPAIGNS: list[tuple[str, str, int]] = [
    # name, kind, days ago it started
    ("2025 디지털 전환 세미나 (서울)", Campaign.Kind.SEMINAR, 330),
    ("클라우드 보안 웨비나 - 제로트러스트 시작하기", Campaign.Kind.WEBINAR, 290),
    ("스마트팩토리 엑스포 2025", Campaign.Kind.EXHIBITION, 250),
    ("AI 도입 가이드 백서 다운로드", Campaign.Kind.CONTENT, 220),
    ("공공기관 클라우드 전환 웨비나", Campaign.Kind.WEBINAR, 180),
    ("고객 초청 조찬 세미나 (부산)", Campaign.Kind.SEMINAR, 150),
    ("월간 뉴스레터 - 데이터 플랫폼 특집", Campaign.Kind.EMAIL, 110),
    ("KOREA IT SHOW 부스", Campaign.Kind.EXHIBITION, 75),
    ("검색 광고 - ERP 교체", Campaign.Kind.ADVERTISING, 45),
    ("연말 파트너 공동 세미나", Campaign.Kind.SEMINAR, 20),
    ("2026 상반기 신제품 런칭 웨비나", Campaign.Kind.WEBINAR, -20),
]

PRODUCTS = [
    "ERP 고도화",
    "클라우드 전환",
    "보안 관제 서비스",
    "그룹웨어 교체",
    "데이터 플랫폼 구축",
    "MES 구축",
    "AI 챗봇 PoC",
    "DR 센터 구축",
    "VDI 도입",
    "CRM 구축",
    "네트워크 이중화",
    "유지보수 갱신",
    "EDR 도입",
    "BI 대시보드",
    "차세대 시스템",
    "RPA 자동화",
    "스토리지 증설",
    "SaaS 구독 확대",
]
NEXT_STEPS = [
    "요구사항 워크숍 일정 확정",
    "PoC 범위 협의",
    "SA 동행 기술 미팅",
    "견적서 제출",
    "구매팀 가격 협상",
    "경영진 보고 자료 준비",
    "레퍼런스 고객 방문 주선",
    "보안성 검토 자료 회신",
    "계약서 검토 (법무)",
    "예산 품의 진행 확인",
    "BMT 결과 공유",
]
LOST_NOTES = [
    "최종 가격 차이 15% 이상",
    "기존 업체와 3년 재계약",
    "내년 예산으로 이월",
    "담당 임원 교체로 프로젝트 중단",
    "경쟁사 번들 제안",
    "요구 기능(온프레미스 설치) 미지원",
    "회신 없음 (3회 연락)",
]
DISQUALIFY_REASONS = [
    "예산 없음 (차년도 검토 예정)",
    "경쟁사와 장기 계약 중",
    "의사결정 권한 없음 (학생/개인 문의)",
    "회사 규모가 대상 아님",
    "연락 두절 (3회 시도)",
    "단순 자료 수집 목적",
    "해외 본사 일괄 구매",
]
INQUIRIES = [
    "견적 요청드립니다. 사용자 200명 기준입니다.",
    "온프레미스 설치가 가능한지 궁금합니다.",
    "기존 시스템과 연동 가능한가요?",
    "공공기관 조달 등록 여부 문의",
    "데모 일정 잡고 싶습니다.",
    "라이선스 정책 문의드립니다.",
    "도입 사례 자료 부탁드립니다.",
]
CALL_NOTES = [
    "현재 시스템 노후화로 교체 검토 중. 하반기 예산 확보 예정.",
    "담당 팀장과 통화. 다음 주 방문 미팅 약속.",
    "BANT 확인: 예산 O, 권한 △, 니즈 O, 시기 3개월 내.",
    "부재중. 메일로 자료 송부.",
    "세미나 후속 통화, 관심 제품 확인.",
    "경쟁사 제품 사용 중, 계약 만료 6개월 전.",
]
WEB_PAGES = [
    "/pricing",
    "/products/erp",
    "/customers",
    "/products/security",
    "/resources/whitepaper",
    "/contact",
]

# Lead status mix (fractions of all leads); converted leads go through convert_lead.
LEAD_STATUS_MIX: list[tuple[str, float]] = [
    (LeadStatus.NEW, 0.18),
    (LeadStatus.WORKING, 0.17),
    (LeadStatus.NURTURING, 0.15),
    (LeadStatus.QUALIFIED, 0.08),
    (LeadStatus.DISQUALIFIED, 0.19),
    (LeadStatus.CONVERTED, 0.23),
]
# Final places of the opportunities (fractions); open ones spread over the buyer's four steps.
OPPORTUNITY_MIX: list[tuple[str, float]] = [
    ("considering", 0.12),
    ("evaluating", 0.11),
    ("deciding", 0.10),
    ("purchasing", 0.08),
    ("won", 0.27),
    ("lost", 0.20),
    ("no_decision", 0.12),
]


BANT_EVIDENCE = [
    ("budget", "올해 하반기 예산 확보 (정보화 예산)"),
    ("authority", "정보전략팀장이 최종 결재권자"),
    ("need", "기존 시스템 유지보수 종료로 교체 필요"),
    ("timeframe", "분기 내 도입 목표"),
]


def make_brn(rng: random.Random, kind: str = "corp") -> str:
    """A 사업자등록번호 with a valid check digit: office code, type code (81/86/87 corporations,
    82 non-profits, 83 public bodies, 01-79 sole proprietors), serial, check digit."""
    office = rng.randint(101, 899)
    type_code = {"corp": rng.choice((81, 81, 81, 86, 87)), "public": 83, "nonprofit": 82}.get(
        kind
    ) or rng.randint(1, 79)
    serial = rng.randint(0, 9999)
    first_nine = f"{office:03d}{type_code:02d}{serial:04d}"
    return format_brn(first_nine + str(brn_check_digit(first_nine)))


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=1)[0]


def allocate(total: int, mix: Sequence[tuple[str, float]], minimum: int = 1) -> list[str]:
    """Exactly ``total`` labels in the proportions of ``mix``, every label at least ``minimum`` times."""
    counts = {label: max(minimum, round(total * frac)) for label, frac in mix}
    biggest = max(counts, key=lambda k: counts[k])
    counts[biggest] += total - sum(counts.values())
    return [label for label, n in counts.items() for _ in range(n)]


@dataclass
class Company:
    name: str
    core: str
    domain: str
    industry: str
    region: str
    size: str
    brn: str
    phone: str
    address: str


@dataclass
class SeedSummary:
    users: int = 0
    teams: int = 0
    accounts: int = 0
    contacts: int = 0
    campaigns: int = 0
    leads: int = 0
    interactions: int = 0
    opportunities: int = 0
    changes: int = 0
    stays: int = 0
    handoffs: int = 0
    recycles: int = 0
    seconds: float = 0.0
    lead_status: dict[str, int] = field(default_factory=dict)
    opportunity_outcome: dict[str, int] = field(default_factory=dict)


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def crm_data_exists() -> bool:
    return Account.objects.exists() or Lead.objects.exists() or Opportunity.objects.exists()


@transaction.atomic
def wipe_crm_data() -> None:
    """Delete CRM records, the change log, the demo users and teams. Pipelines, stages and lost
    reasons (set up by migrations) stay."""
    # The Model's rows first (they point at records by id); the stage design itself stays.
    for model in (StageHistory, HandOff, Recycle, QualificationAnswer):
        model.objects.all().delete()
    LeadInteraction.objects.all().delete()
    Lead.objects.all().delete()
    Opportunity.objects.all().delete()
    Contact.objects.all().delete()
    Account.objects.update(parent=None)
    Account.objects.all().delete()
    Campaign.objects.all().delete()
    ApiToken.objects.filter(user__username__in=DEMO_USERNAMES).delete()
    ChangeLog.objects.all().delete()
    team_names = [name for name, _ in DEMO_TEAMS] + LEGACY_DEMO_TEAMS
    Team.objects.filter(name__in=team_names).update(manager=None, parent=None)
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    Team.objects.filter(name__in=team_names).delete()


class DemoWorld:
    """Builds the demo world. ``scale`` multiplies the record counts (1.0: ~80 accounts, ~300 leads)."""

    def __init__(self, *, seed: int = DEFAULT_SEED, scale: float = 1.0, now: dt.datetime | None = None):
        self.rng = random.Random(seed)
        self.scale = scale
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.used_keys: set[str] = set()
        self.used_emails: set[str] = set()
        self.accounts: list[Account] = []
        self.companies: dict[int, Company] = {}
        self.account_created: dict[int, dt.datetime] = {}
        self.campaigns: list[tuple[Campaign, dt.datetime]] = []
        self.summary = SeedSummary()
        self._log_mark = 0

    # -- helpers ---------------------------------------------------------------------------------

    def n(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def days_ago(self, low: float, high: float) -> dt.datetime:
        return self.now - dt.timedelta(days=self.rng.uniform(low, high), minutes=self.rng.randint(0, 600))

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        if end <= start:
            return start
        return start + (end - start) * self.rng.random()

    def stamp(self, when: dt.datetime) -> None:
        """Move the change-log rows written since the last stamp to ``when`` (demo back-dating)."""
        ChangeLog.objects.filter(pk__gt=self._log_mark).update(time=when)
        self._log_mark = ChangeLog.objects.aggregate(m=Max("pk"))["m"] or self._log_mark

    def person(self) -> tuple[str, str]:
        """A Korean name and an e-mail local part (jihoon.kim)."""
        surname, sroman = weighted(self.rng, [((s, r), w) for s, r, w in SURNAMES])
        given, groman = self.rng.choice(GIVEN_NAMES)
        return surname + given, f"{groman}.{sroman}"

    def email(self, local: str, domain: str) -> str:
        candidate = f"{local}@{domain}"
        n = 2
        while candidate in self.used_emails:
            candidate = f"{local}{n}@{domain}"
            n += 1
        self.used_emails.add(candidate)
        return candidate

    def mobile(self) -> str:
        # Some 010 prefixes are not assigned (e.g. 010-597x): draw again until the number is one a
        # Korean carrier could have given out, as the phone validation of every form requires.
        while True:
            number = f"010-{self.rng.randint(2000, 9999)}-{self.rng.randint(0, 9999):04d}"
            if parse_phone(number) is not None:
                return number

    def company(self) -> Company:
        rng = self.rng
        while True:
            if rng.random() < 0.08:
                name, domain, industry, region = rng.choice(PUBLIC_BODIES)
                core, size = name, rng.choice([CompanySize.MEDIUM, CompanySize.LARGE])
                brn = make_brn(rng, "nonprofit" if industry == Industry.EDUCATION else "public")
            else:
                prefix, proman = rng.choice(COMPANY_PREFIXES)
                suffix, sroman, industry = rng.choice(COMPANY_SUFFIXES)
                core = prefix + suffix
                form = rng.choices(
                    ["(주){}", "{} 주식회사", "㈜{}", "{}(주)", "{}", "(유){}"],
                    weights=[45, 20, 10, 5, 15, 5],
                )[0]
                name = form.format(core)
                domain = f"{proman}{sroman}." + rng.choice(["co.kr", "co.kr", "com", "kr"])
                region = weighted(rng, REGION_WEIGHTS)
                size = weighted(
                    rng,
                    [
                        (CompanySize.SMALL, 25),
                        (CompanySize.MEDIUM, 35),
                        (CompanySize.LARGE, 22),
                        (CompanySize.ENTERPRISE, 13),
                        (CompanySize.MICRO, 5),
                    ],
                )
                brn = make_brn(rng, "corp")
            key = normalize_company(name)
            if key in self.used_keys:
                continue
            self.used_keys.add(key)
            area = AREA_CODES.get(region, "02")
            phone = f"{area}-{rng.randint(200, 999)}{rng.randint(0, 9)}-{rng.randint(0, 9999):04d}"
            address = f"{rng.choice(ADDRESSES.get(region, ADDRESSES[Region.SEOUL]))} {rng.randint(1, 300)}"
            return Company(name, core, domain, industry, region, size, brn, phone, address)

    def ae_for(self, company: Company) -> User:
        public = company.industry in (Industry.PUBLIC, Industry.EDUCATION) or company.size in (
            CompanySize.MICRO,
            CompanySize.SMALL,
        )
        return self.users[self.rng.choice(["ae3", "ae4"] if public else ["ae1", "ae2"])]

    def backdate(self, model: type, pk: int, **values: Any) -> None:
        model._default_manager.filter(pk=pk).update(**values)

    # -- the world -------------------------------------------------------------------------------

    def build(self) -> SeedSummary:
        started = timezone.now()
        with audit_context(job_id=f"seed_demo-{new_job_id()}", source="import"):
            self.build_org()
            self.build_campaigns()
            self.build_accounts()
            self.build_leads()
            self.build_direct_opportunities()
            # The catalogue, price lists, approval rules and two quoted deals (one pending approval).
            seed_sales(self.users)
        s = self.summary
        s.users, s.teams = len(self.users), len(self.teams)
        s.accounts, s.contacts = Account.objects.count(), Contact.objects.count()
        s.campaigns, s.leads = Campaign.objects.count(), Lead.objects.count()
        s.interactions, s.opportunities = LeadInteraction.objects.count(), Opportunity.objects.count()
        s.changes = ChangeLog.objects.count()
        s.stays, s.handoffs = StageHistory.objects.count(), HandOff.objects.count()
        s.recycles = Recycle.objects.count()
        s.lead_status = {row["status"]: row["n"] for row in _count_by(Lead.objects.all(), "status")}
        s.opportunity_outcome = {
            row["stage__outcome"]: row["n"] for row in _count_by(Opportunity.objects.all(), "stage__outcome")
        }
        s.seconds = (timezone.now() - started).total_seconds()
        return s

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

    def build_campaigns(self) -> None:
        marketing = self.users["marketing"]
        for name, kind, started_days_ago in CAMPAIGNS:
            starts = (self.now - dt.timedelta(days=started_days_ago)).date()
            length = 0 if kind in (Campaign.Kind.SEMINAR, Campaign.Kind.WEBINAR) else self.rng.randint(2, 30)
            ends = starts + dt.timedelta(days=length)
            if ends < self.now.date():
                status = Campaign.Status.COMPLETED
            elif starts <= self.now.date():
                status = Campaign.Status.ACTIVE
            else:
                status = Campaign.Status.PLANNED
            created = self.now - dt.timedelta(days=max(started_days_ago, 0) + self.rng.randint(14, 40))
            budget = Decimal(self.rng.randrange(3_000_000, 60_000_000, 500_000))
            campaign = create_campaign(
                actor=marketing,
                name=name,
                kind=kind,
                status=status,
                starts_on=starts,
                ends_on=ends,
                budget=budget,
                description="",
            )
            self.stamp(created)
            self.backdate(Campaign, campaign.pk, created_at=created, updated_at=created)
            self.campaigns.append(
                (campaign, dt.datetime.combine(starts, dt.time(14), tzinfo=self.now.tzinfo))
            )

    def build_accounts(self) -> None:
        """Accounts that exist before the year's leads: customers and prospects the AEs work."""
        count = self.n(55)
        parents: list[Account] = []
        for _ in range(count):
            company = self.company()
            owner = self.ae_for(company)
            created = self.days_ago(200, 365)
            parent = None
            if parents and self.rng.random() < 0.06:
                parent = self.rng.choice(parents)
            account = create_account(
                actor=owner,
                owner=owner,
                name=company.name,
                brn=company.brn,
                industry=company.industry,
                region=company.region,
                size=company.size,
                website=f"https://www.{company.domain}",
                phone=company.phone,
                address=company.address,
                parent=parent,
            )
            self.stamp(created)
            self.backdate(Account, account.pk, created_at=created, updated_at=created)
            if company.size in (CompanySize.LARGE, CompanySize.ENTERPRISE):
                parents.append(account)
            self.accounts.append(account)
            self.companies[account.pk] = company
            self.account_created[account.pk] = created
            for _ in range(self.rng.choice([1, 2, 2, 3, 3])):
                self.add_contact(account, company, owner, created)

    def add_contact(self, account: Account, company: Company, owner: User, after: dt.datetime) -> Contact:
        name, local = self.person()
        title = weighted(self.rng, CONTACT_TITLES)
        created = self.between(after, min(after + dt.timedelta(days=60), self.now))
        contact = create_contact(
            actor=owner,
            owner=owner,
            account=account,
            name=name,
            title=title,
            department=self.rng.choice(DEPARTMENTS),
            buyer_role=BUYER_ROLE_BY_TITLE.get(title, BuyerRole.INFLUENCER),
            email=self.email(local, company.domain),
            phone=f"{company.phone[:-4]}{self.rng.randint(0, 9999):04d}",
            mobile=self.mobile(),
        )
        self.stamp(created)
        self.backdate(Contact, contact.pk, created_at=created, updated_at=created)
        return contact

    # -- leads -------------------------------------------------------------------------------------

    def build_leads(self) -> None:
        total = self.n(300, minimum=len(LEAD_STATUS_MIX))
        statuses = allocate(total, LEAD_STATUS_MIX)
        self.rng.shuffle(statuses)
        converted = [i for i, s in enumerate(statuses) if s == LeadStatus.CONVERTED]
        # Most converted leads come from accounts we already know (repeat and cross-sell); the rest
        # become new accounts, bringing the total to ~80.
        attach_to_existing = set(self.rng.sample(converted, k=round(len(converted) * 0.6)))
        for i, status in enumerate(statuses):
            self.make_lead(status, existing=(i in attach_to_existing))

    def lead_window(self, status: str) -> tuple[float, float]:
        return {
            LeadStatus.NEW: (0, 21),
            LeadStatus.WORKING: (3, 60),
            LeadStatus.NURTURING: (30, 300),
            LeadStatus.QUALIFIED: (7, 90),
            LeadStatus.DISQUALIFIED: (20, 330),
            LeadStatus.CONVERTED: (40, 350),
        }[status]

    def make_lead(self, status: str, *, existing: bool) -> None:
        rng = self.rng
        created = self.days_ago(*self.lead_window(status))
        account: Account | None = None
        if existing or (status != LeadStatus.CONVERTED and rng.random() < 0.15):
            account = rng.choice(self.accounts)
            company = self.companies[account.pk]
            known_since = self.account_created[account.pk] + dt.timedelta(days=1)
            if created < known_since:
                created = self.between(known_since, self.now - dt.timedelta(days=2))
            # People type company names their own way: the duplicate check must still find them.
            shown = rng.choice(
                [company.name, company.core, f"{company.core} 주식회사", f"(주) {company.core}"]
            )
        else:
            company = self.company()
            shown = company.name
        name, local = self.person()
        source = weighted(
            rng,
            [
                (LeadSource.WEB_FORM, 30),
                (LeadSource.EVENT, 25),
                (LeadSource.INBOUND_CALL, 10),
                (LeadSource.BUSINESS_CARD, 10),
                (LeadSource.REFERRAL, 7),
                (LeadSource.PARTNER, 6),
                (LeadSource.OUTBOUND, 8),
                (LeadSource.IMPORT, 4),
            ],
        )
        past = [(c, start) for c, start in self.campaigns if start <= created]
        campaign, campaign_start = (None, None)
        if source in (LeadSource.EVENT, LeadSource.WEB_FORM) and past:
            campaign, campaign_start = (
                max(past, key=lambda pair: pair[1]) if rng.random() < 0.5 else rng.choice(past)
            )
            if campaign_start is not None and campaign_start > created:
                created = campaign_start
        free_mail = rng.random() < 0.12 and status != LeadStatus.CONVERTED
        domain = rng.choice(["naver.com", "gmail.com", "daum.net"]) if free_mail else company.domain
        creator = (
            self.users["marketing"]
            if source in (LeadSource.WEB_FORM, LeadSource.EVENT)
            else self.users["isr"]
        )
        with_brn = status == LeadStatus.CONVERTED or rng.random() < 0.3
        # Stage history is written as of each step's date (a with-block: an error must not leave the
        # clock in the past for whatever runs next).
        with process.process_clock(created):
            lead = create_lead(
                actor=creator,
                owner=self.users["isr"],
                name=name,
                company=shown,
                title=weighted(rng, CONTACT_TITLES),
                email=self.email(local, domain),
                phone=self.mobile(),
                brn=company.brn if with_brn else "",
                website=f"https://www.{company.domain}"
                if rng.random() < 0.7 or status == LeadStatus.CONVERTED
                else "",
                industry=company.industry,
                region=company.region,
                size=company.size,
                source=source,
                campaign=campaign,
                description=rng.choice(INQUIRIES)
                if source in (LeadSource.WEB_FORM, LeadSource.INBOUND_CALL)
                else "",
            )
        self.stamp(created)
        self.summary.leads += 1
        last = self.interactions(lead, source, campaign, created, status)
        last = self.play_lead_process(lead, last, status)
        final = last
        if status in (
            LeadStatus.WORKING,
            LeadStatus.NURTURING,
            LeadStatus.QUALIFIED,
            LeadStatus.DISQUALIFIED,
            LeadStatus.CONVERTED,
        ):
            isr = self.users["isr"]
            step = self.between(last, min(last + dt.timedelta(days=14), self.now))
            if status == LeadStatus.DISQUALIFIED:
                changes: dict[str, Any] = {
                    "status": status,
                    "disqualify_reason": rng.choice(DISQUALIFY_REASONS),
                }
            elif status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
                owner = (
                    self.users[account.owner.username]
                    if account is not None and account.owner
                    else self.ae_for(company)
                )
                changes = {"status": LeadStatus.QUALIFIED, "owner": owner}
            else:
                changes = {"status": status}
            with process.process_clock(step):
                lead = update_lead(lead, actor=isr, changes=changes, expected_version=lead.version)
            self.stamp(step)
            final = step
            if status == LeadStatus.CONVERTED:
                final = self.convert(lead, account, step)
        self.backdate(Lead, lead.pk, created_at=created, updated_at=final)

    def interactions(
        self, lead: Lead, source: str, campaign: Campaign | None, created: dt.datetime, status: str
    ) -> dt.datetime:
        rng = self.rng
        kinds: list[tuple[str, str]] = []
        if source == LeadSource.EVENT:
            kinds.append((LeadInteraction.Kind.SEMINAR, "세미나 참석, 설문 응답: 도입 검토 중"))
        elif source == LeadSource.WEB_FORM:
            kinds.append((LeadInteraction.Kind.FORM_SUBMIT, "문의 양식 제출"))
        elif source == LeadSource.INBOUND_CALL:
            kinds.append((LeadInteraction.Kind.INBOUND_QUESTION, rng.choice(INQUIRIES)))
        elif source == LeadSource.BUSINESS_CARD:
            kinds.append((LeadInteraction.Kind.MEETING, "전시회 부스 명함 교환"))
        extra = {LeadStatus.NEW: 1, LeadStatus.WORKING: 2, LeadStatus.NURTURING: 3}.get(status, 3)
        for _ in range(rng.randint(0, extra)):
            kind = weighted(
                rng,
                [
                    (LeadInteraction.Kind.WEB_VISIT, 40),
                    (LeadInteraction.Kind.DOWNLOAD, 15),
                    (LeadInteraction.Kind.CALL, 20),
                    (LeadInteraction.Kind.EMAIL_REPLY, 15),
                    (LeadInteraction.Kind.INBOUND_QUESTION, 10),
                ],
            )
            note = {
                LeadInteraction.Kind.WEB_VISIT: f"{rng.choice(WEB_PAGES)} 방문 ({rng.randint(1, 6)}페이지)",
                LeadInteraction.Kind.DOWNLOAD: "도입 사례집 PDF 다운로드",
                LeadInteraction.Kind.CALL: rng.choice(CALL_NOTES),
                LeadInteraction.Kind.EMAIL_REPLY: "자료 잘 받았습니다. 내부 검토 후 연락드리겠습니다.",
                LeadInteraction.Kind.INBOUND_QUESTION: rng.choice(INQUIRIES),
            }[kind]
            kinds.append((kind, note))
        when = created
        for index, (kind, note) in enumerate(kinds):
            if index:
                when = self.between(when, min(when + dt.timedelta(days=20), self.now))
            actor = (
                self.users["isr"]
                if kind in (LeadInteraction.Kind.CALL, LeadInteraction.Kind.EMAIL_REPLY)
                else None
            )
            with process.process_clock(when):
                log_interaction(
                    lead,
                    actor=actor,
                    kind=kind,
                    occurred_at=when,
                    note=note,
                    campaign=campaign if kind == LeadInteraction.Kind.SEMINAR else None,
                )
            self.stamp(when)
            self.summary.interactions += 1
        return when

    # -- The Model: hand-offs, qualification, rejections and recycling, back-dated -------------------

    def later(self, when: dt.datetime, *, hours: float = 0, days: float = 0) -> dt.datetime:
        """A moment after ``when`` (at most ``hours``/``days`` later), never in the future."""
        ceiling = self.now - dt.timedelta(hours=1)
        end = min(when + dt.timedelta(hours=hours, days=days), ceiling)
        return max(when, self.between(when, end))

    def play_lead_process(self, lead: Lead, last: dt.datetime, status: str) -> dt.datetime:
        """Inside sales accepts (or rejects) marketing's hand-offs, calls and checks BANT, as of each date.

        New leads keep their hand-offs waiting; some hand-offs are rejected back to nurture and come
        back after new activity (recycle yield); some are accepted late (SLA breaches)."""
        rng = self.rng
        isr = self.users["isr"]
        progress = status in (LeadStatus.WORKING, LeadStatus.QUALIFIED, LeadStatus.CONVERTED)
        if status == LeadStatus.NEW:
            return last
        when = last
        handoff = process.pending_handoff("lead", lead.pk)
        if handoff is None and not progress:
            return last
        if handoff is None:
            # An inbound lead inside sales takes straight from marketing: a manual move with a reason.
            when = self.later(when, days=2)
            with process.process_clock(when):
                outcome = process.move_record(
                    lead,
                    ProcessStage.objects.get(key="accepted"),
                    actor=isr,
                    override=True,
                    reason="영업 요청으로 직접 이관 (문의 전화)",
                )
            self.stamp(when)
            handoff = outcome if isinstance(outcome, HandOff) else None
            if handoff is None:
                return when
        reject = rng.random() < (0.2 if progress else 0.5)
        if reject:
            when = self.later(when, hours=30)
            with process.process_clock(when):
                process.reject_handoff(
                    handoff,
                    actor=isr,
                    reason_code=rng.choice(["not_qualified", "timing", "bad_data", "no_budget"]),
                    return_to="nurture",
                    note="담당자 연락 불가, 재육성 후 재검토",
                    follow_up_on=(when + dt.timedelta(days=rng.randint(14, 45))).date(),
                )
            self.stamp(when)
            if not progress:
                return when
            # Back after new activity: a question resumes the flow, marketing offers the lead again.
            again = self.later(when + dt.timedelta(days=3), days=30)
            if again <= when + dt.timedelta(days=3):
                return when
            with process.process_clock(again):
                log_interaction(
                    lead,
                    actor=None,
                    kind=LeadInteraction.Kind.INBOUND_QUESTION,
                    occurred_at=again,
                    note=rng.choice(INQUIRIES),
                )
            self.stamp(again)
            when = again
            handoff = process.pending_handoff("lead", lead.pk)
            if handoff is None:
                return when
        # Accepted, mostly within the working day, one in five late.
        when = self.later(when, hours=rng.uniform(30, 100) if rng.random() < 0.2 else rng.uniform(1, 20))
        with process.process_clock(when):
            process.accept_handoff(handoff, actor=isr, note="접수 확인")
        self.stamp(when)
        if not progress:
            return when
        when = self.later(when, days=3)
        with process.process_clock(when):
            log_interaction(
                lead, actor=isr, kind=LeadInteraction.Kind.CALL, occurred_at=when, note=rng.choice(CALL_NOTES)
            )
        self.stamp(when)
        if status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
            when = self.later(when, days=10)
            with process.process_clock(when):
                for item, evidence in BANT_EVIDENCE:
                    process.set_qualification(lead, item, answer=True, evidence=evidence, actor=isr)
            self.stamp(when)
        return when

    def play_customer_success(self, opportunity: Opportunity, won_at: dt.datetime) -> None:
        """Customer success accepts the won account (some late, some still waiting) and onboards it."""
        rng = self.rng
        handoff = process.pending_handoff("account", opportunity.account_id)
        if handoff is None or rng.random() < 0.15:
            return
        when = won_at + dt.timedelta(hours=rng.uniform(60, 120) if rng.random() < 0.2 else rng.uniform(2, 40))
        if when >= self.now:
            return
        with process.process_clock(when):
            process.accept_handoff(
                handoff, actor=self.users["csm"], note="킥오프 일정 확정", take_ownership=False
            )
        self.stamp(when)
        adopted = when + dt.timedelta(days=rng.uniform(30, 55))
        if adopted < self.now:
            with process.process_clock(adopted):
                process.auto_advance(Account.objects.get(pk=opportunity.account_id), rule="sweep")
            self.stamp(adopted)

    def convert(self, lead: Lead, account: Account | None, after: dt.datetime) -> dt.datetime:
        when = self.between(after, min(after + dt.timedelta(days=21), self.now - dt.timedelta(days=1)))
        owner = lead.owner or self.users["ae1"]
        amount, currency = self.amount()
        with process.process_clock(when):
            new_account, contact, opportunity = convert_lead(
                lead,
                actor=owner,
                account=account,
                create_opportunity_too=True,
                opportunity_name=f"{(account.name if account else lead.company)} {self.rng.choice(PRODUCTS)}",
                amount=amount,
                currency=currency,
                owner=owner,
            )
        self.stamp(when)
        self.backdate(Lead, lead.pk, converted_at=when)
        if account is None:
            self.backdate(Account, new_account.pk, created_at=when, updated_at=when)
            self.accounts.append(new_account)
            self.account_created[new_account.pk] = when
            self.companies[new_account.pk] = Company(
                new_account.name,
                normalize_company(new_account.name),
                new_account.domain,
                new_account.industry,
                new_account.region,
                new_account.size,
                new_account.brn,
                new_account.phone,
                "",
            )
        self.backdate(Contact, contact.pk, created_at=when, updated_at=when)
        assert opportunity is not None
        self.play_opportunity(opportunity, when)
        return when

    # -- opportunities -----------------------------------------------------------------------------

    def amount(self) -> tuple[Decimal, str]:
        rng = self.rng
        if rng.random() < 0.06:
            usd = min(max(rng.lognormvariate(math.log(80_000), 0.9), 10_000), 600_000)
            return Decimal(round(usd, -2)), "USD"
        krw = min(max(rng.lognormvariate(math.log(60_000_000), 1.0), 5_000_000), 900_000_000)
        return Decimal(int(round(krw, -4))), "KRW"

    def build_direct_opportunities(self) -> None:
        """Deals opened directly on known accounts: repeat business, upsell, partner-sourced."""
        for _ in range(self.n(80)):
            account = self.rng.choice(self.accounts)
            owner = account.owner or self.users["ae1"]
            if self.rng.random() < 0.07:
                owner = self.users["partner"]
            created = self.days_ago(20, 330)
            known_since = self.account_created[account.pk]
            if created < known_since:
                created = self.between(known_since, self.now - dt.timedelta(days=2))
            contacts = list(Contact.objects.filter(account=account).order_by("id"))
            contact = self.rng.choice(contacts) if contacts else None
            amount, currency = self.amount()
            with process.process_clock(created):
                opportunity = create_opportunity(
                    actor=owner,
                    owner=owner,
                    name=f"{account.name} {self.rng.choice(PRODUCTS)}",
                    account=account,
                    primary_contact=contact,
                    amount=amount,
                    currency=currency,
                )
            self.stamp(created)
            self.play_opportunity(opportunity, created)

    def play_opportunity(self, opportunity: Opportunity, created: dt.datetime) -> None:
        """Walk a deal from its first stage to its planned place, with plausible dates for each move."""
        rng = self.rng
        stages = {s.key: s for s in opportunity.pipeline.stages.all()}
        target = self.next_outcome()
        open_keys = ["considering", "evaluating", "deciding", "purchasing"]
        if target in open_keys:
            path = [
                k for k in open_keys[1 : open_keys.index(target) + 1] if k == target or rng.random() > 0.2
            ]
        else:
            reach = open_keys.index(rng.choice(open_keys[1:] if target == "won" else open_keys))
            path = [k for k in open_keys[1 : reach + 1] if rng.random() > 0.25] + [target]
        closed = target in ("won", "lost", "no_decision")
        end = self.now - dt.timedelta(days=rng.uniform(1, 10))
        if closed and created < end:
            end = self.between(created + (end - created) * 0.3, end)
        # About one deal in eight goes back a step on the way (the customer reopens the evaluation).
        forward = [k for k in path if k in open_keys]
        if len(forward) >= 2 and rng.random() < 0.12:
            at = rng.randrange(1, len(forward))
            path.insert(path.index(forward[at]) + 1, forward[at - 1])
            path.insert(path.index(forward[at]) + 2, forward[at])
            path = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        times = sorted(self.between(created, end) for _ in path)
        actor = opportunity.owner
        for key, when in zip(path, times, strict=True):
            stage = stages[key]
            reason = None
            if stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
                reason = self.lost_reason(no_decision=stage.outcome == Stage.Outcome.NO_DECISION)
            with process.process_clock(when):
                opportunity = move_opportunity(
                    opportunity,
                    actor=actor,
                    stage=stage,
                    expected_version=opportunity.version,
                    lost_reason=reason,
                    at=when,
                )
            self.stamp(when)
            if stage.outcome == Stage.Outcome.WON:
                self.play_customer_success(opportunity, when)
        last = times[-1] if times else created
        changes: dict[str, Any] = {}
        if target in ("lost", "no_decision"):
            changes["lost_note"] = rng.choice(LOST_NOTES)
        if not closed:
            changes["next_step"] = rng.choice(NEXT_STEPS)
            changes["expected_close_date"] = (self.now + dt.timedelta(days=rng.randint(10, 150))).date()
            if target == "purchasing":
                changes["forecast_category"] = ForecastCategory.COMMIT
            elif target == "deciding":
                changes["forecast_category"] = ForecastCategory.BEST_CASE
        else:
            changes["expected_close_date"] = last.date()
        with process.process_clock(last):
            opportunity = update_opportunity(
                opportunity, actor=actor, changes=changes, expected_version=opportunity.version
            )
        self.stamp(last)
        self.backdate(
            Opportunity,
            opportunity.pk,
            created_at=created,
            updated_at=last,
            stage_changed_at=last if path else created,
            closed_at=last if closed else None,
        )

    def next_outcome(self) -> str:
        if not getattr(self, "_outcomes", None):
            planned = allocate(self.n(150, minimum=len(OPPORTUNITY_MIX)), OPPORTUNITY_MIX)
            self.rng.shuffle(planned)
            self._outcomes = planned
        return self._outcomes.pop()

    def lost_reason(self, *, no_decision: bool) -> LostReason:
        reasons = getattr(self, "_reasons", None)
        if reasons is None:
            reasons = list(LostReason.objects.filter(is_archived=False).order_by("id"))
            self._reasons = reasons
        pool = [r for r in reasons if r.is_no_decision == no_decision] or reasons
        return self.rng.choice(pool)


def _count_by(qs: Any, key: str) -> Any:
    from django.db.models import Count

    return qs.order_by().values(key).annotate(n=Count("id"))


def seed_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, now: dt.datetime | None = None) -> SeedSummary:
    """Create the demo world in one transaction (all or nothing). The caller checks ``demo_exists``."""
    default_pipeline()  # fail early, before writing anything, when migrations did not set one up
    with transaction.atomic():
        return DemoWorld(seed=seed, scale=scale, now=now).build()


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
