"""Load the default design of seed 002 (The Model): four departments, their stages and criteria."""

from django.db import migrations

DEPARTMENTS = [
    # key, Korean, English, sequence, roles
    ("marketing", "마케팅", "Marketing", 10, ["marketing"]),
    ("inside_sales", "인사이드 세일즈", "Inside sales", 20, ["inside_sales"]),
    ("field_sales", "필드 세일즈", "Field sales", 30,
     ["field_sales", "solution_architect", "specialist_sales", "partner_manager"]),
    ("customer_success", "고객 성공", "Customer success", 40, ["customer_success"]),
]

# key, department, record kind, Korean, English, sequence, channels, programs, extra fields, criteria
STAGES = [
    ("awareness", "marketing", "lead", "인지 획득", "Awareness", 10, ["web", "advertising", "content"],
     ["SEO·블로그 콘텐츠", "디스플레이 광고", "업계 뉴스레터"], {}, []),
    ("lead_acquired", "marketing", "lead", "리드 획득", "Lead acquired", 20, ["web", "seminar", "email"],
     ["백서 다운로드", "웨비나 등록", "명함 교환"], {},
     [("연락처 확보", "Contact details captured", "has_email || has_phone", "entry")]),
    ("nurturing", "marketing", "lead", "리드 육성", "Nurturing", 30, ["email", "webinar", "content"],
     ["사례 연구 메일", "웨비나", "뉴스레터"], {"is_recycle_target": True},
     [("최근 90일 내 반응", "Engaged in the last 90 days",
       "web_visit_90d + download_90d + email_reply_90d + seminar_90d + form_submit_90d + inbound_question_90d >= 1", "entry")]),
    ("mql", "marketing", "lead", "유망 리드 (MQL)", "Marketing-qualified lead (MQL)", 40, ["seminar", "web"],
     ["세미나", "제품 데모 초대"], {"sla_max_days": 7},
     [("웹 방문 3회(30일)·세미나 참석·문의 중 하나", "3+ web visits in 30 days, a seminar or an inbound question",
       "web_visit_30d >= 3 || seminar_90d >= 1 || inbound_question_90d >= 1", "entry")]),
    ("accepted", "inside_sales", "lead", "리드 접수", "Accepted", 10, ["phone", "email"],
     ["접수 확인 연락"], {"is_handoff_entry": True, "sla_accept_days": 1, "sla_max_days": 2}, []),
    ("working", "inside_sales", "lead", "접촉 중", "Working", 20, ["phone", "email"],
     ["콜 스크립트", "자료 송부"], {"sla_max_days": 14},
     [("첫 대화(30일)", "A conversation in the last 30 days", "call_30d + meeting_30d + email_reply_30d >= 1", "entry")]),
    ("sql", "inside_sales", "lead", "상담 전환 (SQL)", "Sales-qualified (SQL)", 30, ["phone", "visit"],
     ["BANT 확인 콜"], {"sla_max_days": 5, "is_qualified_milestone": True},
     [("BANT 충족", "BANT confirmed", "bant_count == 4", "entry")]),
    ("considering", "field_sales", "opportunity", "구매 고민 중", "Considering", 10, ["visit", "phone"],
     ["정기 관리 연락", "산업 동향 공유"],
     {"is_handoff_entry": True, "sla_accept_days": 2, "sla_max_days": 90, "deal_stage_key": "considering"}, []),
    ("evaluating", "field_sales", "opportunity", "대안 검토 중", "Evaluating", 20, ["visit", "email"],
     ["제품 시연", "사례 소개"], {"sla_max_days": 60, "deal_stage_key": "evaluating"},
     [("비즈니스 과제와 문제 인식", "Business issue and recognised problem", "business_issue && recognised_problem",
       "entry")]),
    ("deciding", "field_sales", "opportunity", "구매 결정", "Deciding", 30, ["visit"],
     ["제안서", "ROI 분석"], {"sla_max_days": 45, "deal_stage_key": "deciding"},
     [("BANT와 더 모델 4조건", "BANT and The Model's four conditions", "bant_count == 4 && model_count == 4",
       "entry")]),
    ("purchasing", "field_sales", "opportunity", "최종 구매", "Purchasing", 40, ["visit", "email"],
     ["견적·계약서"], {"sla_max_days": 30, "deal_stage_key": "purchasing"},
     [("금액과 마감일", "Amount and close date", "amount > 0.0 && has_close_date", "entry")]),
    ("won", "field_sales", "opportunity", "수주", "Won", 50, [], [], {"outcome": "won", "deal_stage_key": "won"}, []),
    ("lost", "field_sales", "opportunity", "실주", "Lost", 60, [], [], {"outcome": "lost", "deal_stage_key": "lost"}, []),
    ("no_decision", "field_sales", "opportunity", "결정 보류", "No decision", 70, [], [],
     {"outcome": "no_decision", "deal_stage_key": "no_decision"}, []),
    ("onboarding", "customer_success", "account", "온보딩", "Onboarding", 10, ["visit", "email"],
     ["킥오프 미팅", "사용자 교육"], {"is_handoff_entry": True, "sla_accept_days": 2, "sla_max_days": 60}, []),
    ("adoption", "customer_success", "account", "활용 안착", "Adoption", 20, ["email", "phone"],
     ["활용도 리뷰", "사용자 커뮤니티"], {},
     [("온보딩 30일 경과", "30 days of onboarding", "days_in_stage >= 30", "entry")]),
    ("renewal_expansion", "customer_success", "account", "갱신·확장", "Renewal & expansion", 30, ["visit", "email"],
     ["갱신 제안", "업셀·크로스셀"], {},
     [("확장 상담 진행", "An expansion deal is open", "open_opportunities >= 1", "entry")]),
]


def load_design(apps, schema_editor):
    Department = apps.get_model("process", "Department")
    ProcessStage = apps.get_model("process", "ProcessStage")
    StageCriterion = apps.get_model("process", "StageCriterion")
    DesignVersion = apps.get_model("process", "DesignVersion")
    if ProcessStage.objects.exists():
        return
    departments = {}
    for key, ko, en, seq, roles in DEPARTMENTS:
        departments[key] = Department.objects.create(key=key, name=ko, name_en=en, sequence=seq, roles=roles)
    snapshot = {"stages": []}
    for key, dept, kind, ko, en, seq, channels, programs, extra, criteria in STAGES:
        stage = ProcessStage.objects.create(
            key=key, department=departments[dept], record_kind=kind, name=ko, name_en=en, sequence=seq,
            channels=channels, programs=programs, **extra,
        )
        for i, (cko, cen, expr, ckind) in enumerate(criteria, start=1):
            StageCriterion.objects.create(stage=stage, name=cko, name_en=cen, expression=expr, kind=ckind, sequence=i * 10)
        snapshot["stages"].append({"key": key, "department": dept, "criteria": [c[2] for c in criteria]})
    DesignVersion.objects.create(number=1, summary="Default design (The Model, seed 002)", snapshot=snapshot)


def unload_design(apps, schema_editor):
    for name in ("StageCriterion", "ProcessStage", "Department", "DesignVersion"):
        apps.get_model("process", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("process", "0001_stage_design_and_history")]
    operations = [migrations.RunPython(load_design, unload_design)]
