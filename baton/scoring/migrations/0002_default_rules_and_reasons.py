from django.db import migrations

FIT = [
    # label, attribute, operator, value, points
    ("Target industry (manufacturing, finance, IT)", "industry", "in", "manufacturing,finance,it", 15),
    ("Enterprise (1,000+ employees)", "size", "eq", "1000+", 20),
    ("Large (300–999 employees)", "size", "eq", "300-999", 15),
    ("Mid-size (50–299 employees)", "size", "eq", "50-299", 8),
    ("Decision-maker title", "title", "contains", "대표,이사,본부장,팀장,cto,cio,director,head,manager", 15),
    ("Referred or partner-sourced", "source", "in", "referral,partner", 10),
    ("Reachable by phone", "has_phone", "true", "", 5),
]
ENGAGEMENT = [
    # label, interaction kind, points each, half-life days, cap
    ("Web visits", "web_visit", 2, 14, 20),
    ("Content downloads", "download", 5, 30, 15),
    ("Forms submitted", "form_submit", 8, 30, 16),
    ("Seminars attended", "seminar", 15, 60, 30),
    ("Inbound questions", "inbound_question", 20, 30, 40),
    ("Email replies", "email_reply", 10, 30, 20),
    ("Meetings", "meeting", 15, 60, 30),
]
REASONS = [
    ("예산 없음", "No budget", 180, False),
    ("결정권자 부재", "No access to the decision-maker", 90, False),
    ("니즈 불일치", "No need we can meet", 365, False),
    ("도입 시기 미정", "No timeframe", 90, True),
    ("현행 유지 (결정 보류)", "Staying with what they have (no decision)", 180, True),
    ("경쟁사 선택", "Chose a competitor", 365, False),
    ("연락 두절", "Unreachable", 60, False),
]


def forwards(apps, schema_editor):
    Rule = apps.get_model("scoring", "ScoringRule")
    Reason = apps.get_model("scoring", "DisqualifyReason")
    Settings = apps.get_model("scoring", "SupplySettings")
    for seq, (label, attr, op, value, points) in enumerate(FIT, start=1):
        Rule.objects.create(category="fit", label=label, attribute=attr, operator=op, value=value,
                            points=points, sequence=seq * 10)
    for seq, (label, kind, points, hl, cap) in enumerate(ENGAGEMENT, start=1):
        Rule.objects.create(category="engagement", label=label, attribute=kind, operator="eq", points=points,
                            half_life_days=hl, max_points=cap, sequence=seq * 10)
    for seq, (ko, en, days, nd) in enumerate(REASONS, start=1):
        Reason.objects.create(name=ko, name_en=en, recycle_days=days, is_no_decision=nd, sequence=seq * 10)
    Settings.objects.create(min_score=0)


def backwards(apps, schema_editor):
    apps.get_model("scoring", "ScoringRule").objects.all().delete()
    apps.get_model("scoring", "DisqualifyReason").objects.all().delete()
    apps.get_model("scoring", "SupplySettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_scores_rules_qualification_routing")]
    operations = [migrations.RunPython(forwards, backwards)]
