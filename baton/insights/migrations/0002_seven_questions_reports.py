"""The seven questions of seed 003 as ready-made reports everyone can open (each reader sees their own
rows). Definitions are plain data here, so this migration does not depend on live code."""

from django.db import migrations

WON = {"field": "stage_outcome", "op": "eq", "value": "won"}
CLOSED = {"field": "stage_outcome", "op": "ne", "value": "open"}

QUESTIONS = [
    (1, "기회가 꾸준히 만들어지는가: 월별 신규 영업기회", "Is good opportunity created continuously: new opportunities per month",
     {"object": "opportunities", "columns": [], "group_by": ["created_at:month"], "aggregate": "sum", "measure": "amount",
      "filters": [{"field": "created_at", "op": "relative", "value": "last_365_days"}], "sort": "label"}),
    (2, "수주율은 얼마인가: 최근 90일 마감 결과", "What is our win rate: deals closed in the last 90 days by outcome",
     {"object": "opportunities", "columns": [], "group_by": ["stage_outcome"], "aggregate": "count", "measure": "",
      "filters": [CLOSED, {"field": "closed_at", "op": "relative", "value": "last_90_days"}], "sort": "-value"}),
    (3, "경쟁에서 왜 이기고 지는가: 실주 사유", "Why do we win or lose: reasons of lost deals",
     {"object": "opportunities", "columns": [], "group_by": ["lost_reason"], "aggregate": "count", "measure": "",
      "filters": [{"field": "stage_outcome", "op": "in", "value": ["lost", "no_decision"]},
                  {"field": "closed_at", "op": "relative", "value": "last_365_days"}], "sort": "-value"}),
    (4, "무엇이 수주율을 높이는가: 업종별 결과", "What would raise the win rate: outcomes by industry",
     {"object": "opportunities", "columns": [], "group_by": ["industry", "stage_outcome"], "aggregate": "count",
      "measure": "", "filters": [CLOSED, {"field": "closed_at", "op": "relative", "value": "last_365_days"}],
      "sort": "-value"}),
    (5, "어떤 전략을 택할 것인가: 기업 규모별 수주액", "Which strategy do we take: won revenue by company size",
     {"object": "opportunities", "columns": [], "group_by": ["size"], "aggregate": "sum", "measure": "amount",
      "filters": [WON, {"field": "closed_at", "op": "relative", "value": "last_365_days"}], "sort": "-value"}),
    (6, "지역·제품별 매출 추세는 건강한가: 지역별 분기 수주액", "Are revenue trends healthy: won revenue by region and quarter",
     {"object": "opportunities", "columns": [], "group_by": ["region", "closed_at:quarter"], "aggregate": "sum",
      "measure": "amount", "filters": [WON, {"field": "closed_at", "op": "relative", "value": "last_365_days"}],
      "sort": "-value"}),
    (7, "활동도 함께 평가하는가: 담당자별 완료 활동 (90일)", "Do we evaluate activity too: activities done per rep (90 days)",
     {"object": "activities", "columns": [], "group_by": ["owner", "kind"], "aggregate": "count", "measure": "",
      "filters": [{"field": "status", "op": "eq", "value": "done"},
                  {"field": "completed_at", "op": "relative", "value": "last_90_days"}], "sort": "-value"}),
]


def create_reports(apps, schema_editor):
    SavedReport = apps.get_model("insights", "SavedReport")
    for number, ko, en, definition in QUESTIONS:
        SavedReport.objects.update_or_create(
            is_builtin=True,
            question=number,
            defaults={"name": ko, "name_en": en, "definition": definition, "sharing": "everyone", "owner": None},
        )


def remove_reports(apps, schema_editor):
    apps.get_model("insights", "SavedReport").objects.filter(is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_forecast_quotas_snapshots_targets_reports")]
    operations = [migrations.RunPython(create_reports, remove_reports)]
