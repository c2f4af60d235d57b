import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.models import ChangeLog
from baton.process import design
from baton.process.criteria import evaluate, validate_expression
from baton.process.models import Department, DesignVersion, ProcessStage, StageCriterion


@pytest.mark.parametrize(
    "expression,message",
    [
        ("web_visit_30d >=", "cannot be parsed"),
        ("web_visits >= 3", "Unknown fact web_visits"),
        ("web_visit_30d + 1", "must be true or false"),
        ('web_visit_30d >= "three"', "does not fit the facts"),
        ("", "Write an expression"),
        ("__import__('os')", "Unknown function __import__"),
    ],
)
def test_invalid_expressions_are_rejected_with_a_clear_message(expression, message):
    with pytest.raises(ValidationError) as err:
        validate_expression(expression, "lead")
    assert message in " ".join(err.value.messages)


def test_valid_expressions_and_evidence():
    validate_expression("web_visit_30d >= 3 && (seminar_90d >= 1 || inbound_question_total > 0)", "lead")
    validate_expression("amount > 0.0 && has_close_date", "opportunity")
    with pytest.raises(ValidationError):
        validate_expression("amount > 0.0", "lead")  # an opportunity fact on a lead stage
    met, evidence, error = evaluate(
        "web_visit_30d >= 3 && budget", {"web_visit_30d": 4, "budget": True, "x": 1}
    )
    assert met and evidence == {"web_visit_30d": 4, "budget": True} and error == ""
    met, evidence, _ = evaluate("web_visit_30d >= 3", {"web_visit_30d": 1})
    assert not met and evidence == {"web_visit_30d": 1}


@pytest.mark.django_db
def test_only_admins_edit_the_design(personas):
    stage = ProcessStage.objects.get(key="mql")
    for who in ("alice", "mina", "dana"):
        with pytest.raises(PermissionDenied):
            design.update_stage(stage, actor=personas[who], changes={"name": "x"})
        with pytest.raises(PermissionDenied):
            design.save_criterion(actor=personas[who], stage=stage, name="n", expression="seminar_90d >= 1")


@pytest.mark.django_db
def test_admin_edits_are_audited_and_versioned(root):
    v0 = DesignVersion.objects.count()
    mql = ProcessStage.objects.get(key="mql")
    design.update_stage(
        mql, actor=root, changes={"name": "유망 리드", "sla_max_days": 10, "programs": "세미나\n데모\n"}
    )
    mql.refresh_from_db()
    assert mql.name == "유망 리드" and mql.sla_max_days == 10 and mql.programs == ["세미나", "데모"]
    log = ChangeLog.objects.filter(content_type__model="processstage", object_id=mql.pk).first()
    assert log.after["sla_max_days"] == 10 and log.actor == root
    with pytest.raises(ValidationError) as err:
        design.save_criterion(actor=root, stage=mql, name="bad", expression="web_visit_30d >")
    assert "expression" in err.value.message_dict
    crit = design.save_criterion(
        actor=root, stage=mql, name="Demo", expression="meeting_90d >= 1", required=False
    )
    assert crit.kind == "entry" and not crit.required
    design.save_criterion(actor=root, stage=mql, name="Demo", expression="meeting_90d >= 2", criterion=crit)
    crit.refresh_from_db()
    assert crit.expression == "meeting_90d >= 2"
    design.archive_criterion(crit, actor=root)
    assert StageCriterion.objects.get(pk=crit.pk).is_archived
    marketing = Department.objects.get(key="marketing")
    new = design.create_stage(
        actor=root,
        department=marketing,
        record_kind="lead",
        name="웨비나 참석",
        name_en="Webinar attended",
        channels=["webinar"],
    )
    assert new.key == "webinar_attended" and new.sequence == 50
    ids = list(marketing.stages.order_by("sequence").values_list("id", flat=True))
    design.reorder_stages(actor=root, department=marketing, stage_ids=[new.pk, *ids[:-1]])
    assert marketing.stages.order_by("sequence").first() == new
    with pytest.raises(ValidationError):
        design.reorder_stages(actor=root, department=marketing, stage_ids=ids[:2])
    design.archive_stage(new, actor=root)
    assert ProcessStage.objects.get(pk=new.pk).is_archived
    versions = DesignVersion.objects.order_by("-number")
    assert versions.count() == v0 + 7
    assert versions.first().snapshot["stages"][0]["key"] == "webinar_attended"


@pytest.mark.django_db
def test_an_edited_criterion_moves_a_lead_when_met(root, alice):
    from baton.leads.models import LeadInteraction
    from baton.leads.services import create_lead, log_interaction
    from baton.process.services import current_stay

    mql = ProcessStage.objects.get(key="mql")
    crit = mql.criteria.get()
    design.save_criterion(
        actor=root, stage=mql, name="Two downloads", expression="download_30d >= 2", criterion=crit
    )
    lead = create_lead(actor=alice, name="A", email="a@example.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.DOWNLOAD)
    assert current_stay("lead", lead.pk).stage.key == "nurturing"
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.DOWNLOAD)
    stay = current_stay("lead", lead.pk)
    assert stay.stage.key == "mql" and stay.evidence["criteria"][0]["evidence"] == {"download_30d": 2}
