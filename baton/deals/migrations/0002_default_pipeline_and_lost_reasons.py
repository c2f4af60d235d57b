from django.db import migrations

# Frozen copies of deals.services.DEFAULT_STAGES and DEFAULT_LOST_REASONS as this migration first
# created them (migrations never import live code: a later edit there must not change what this did;
# later changes are migrations of their own, e.g. 0011).
DEFAULT_STAGES = [
    # key, Korean, English, probability, outcome — the buyer's four steps of seed 000, then the outcomes.
    ("considering", "구매 고민 중", "Considering", 10, "open"),
    ("evaluating", "대안 검토 중", "Evaluating", 30, "open"),
    ("deciding", "구매 결정", "Deciding", 60, "open"),
    ("purchasing", "최종 구매", "Purchasing", 85, "open"),
    ("won", "수주", "Won", 100, "won"),
    ("lost", "실주", "Lost", 0, "lost"),
    ("no_decision", "결정 보류 (No decision)", "No decision", 0, "no_decision"),  # 0011 renames it
]

DEFAULT_LOST_REASONS = [
    ("가격", "Price", False),
    ("경쟁사 선택", "Chose a competitor", False),
    ("기존 솔루션 유지 (현상 유지)", "Stayed with the incumbent", True),
    ("예산 없음", "No budget", True),
    ("우선순위 밀림", "Lost priority", True),
    ("기능 부족", "Missing capability", False),
    ("연락 두절", "Went dark", True),
]


def create_defaults(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    Stage = apps.get_model("deals", "Stage")
    LostReason = apps.get_model("deals", "LostReason")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="필드 세일즈", name_en="Field sales", is_default=True)
        for seq, (key, ko, en, prob, outcome) in enumerate(DEFAULT_STAGES, start=1):
            Stage.objects.create(
                pipeline=pipeline,
                key=key,
                name=ko,
                name_en=en,
                sequence=seq * 10,
                probability=prob,
                outcome=outcome,
            )
    if not LostReason.objects.exists():
        for ko, en, no_decision in DEFAULT_LOST_REASONS:
            LostReason.objects.create(name=ko, name_en=en, is_no_decision=no_decision)


def remove_defaults(apps, schema_editor):
    apps.get_model("deals", "Pipeline").objects.filter(is_default=True, name="필드 세일즈").delete()
    apps.get_model("deals", "LostReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, remove_defaults)]
