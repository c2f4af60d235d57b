import pytest
from django.core.exceptions import ValidationError

from baton.core.services import ConflictError
from baton.core.testing import audit_rows
from baton.deals.models import ForecastCategory, LostReason, Pipeline, Stage
from baton.deals.services import create_opportunity, move_opportunity, update_opportunity


def test_default_pipeline_follows_the_buyers_four_steps(db):
    pipeline = Pipeline.objects.get(is_default=True)
    keys = list(pipeline.stages.order_by("sequence").values_list("key", flat=True))
    assert keys == ["considering", "evaluating", "deciding", "purchasing", "won", "lost", "no_decision"]
    assert Stage.objects.get(key="no_decision").outcome == Stage.Outcome.NO_DECISION
    assert LostReason.objects.filter(is_no_decision=True).exists()


def test_move_sets_probability_forecast_and_audits(world, bob):
    opp = world["opportunity"]
    deciding = Stage.objects.get(key="deciding")
    move_opportunity(opp, actor=bob, stage=deciding, expected_version=opp.version)
    opp.refresh_from_db()
    assert opp.stage == deciding and opp.probability == 60 and opp.closed_at is None
    row = audit_rows(opp, "move").get()
    assert row.actor == bob
    assert (
        row.after["stage_id"] == deciding.pk
        and row.before["stage_id"] == Stage.objects.get(key="considering").pk
    )


def test_won_and_lost_close_the_deal(world, alice):
    opp = world["opportunity"]
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="won"), expected_version=opp.version)
    assert (
        opp.closed_at is not None
        and opp.forecast_category == ForecastCategory.CLOSED
        and opp.probability == 100
    )
    with pytest.raises(ValidationError):
        move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="lost"), expected_version=opp.version)
    reason = LostReason.objects.filter(is_no_decision=True).first()
    move_opportunity(
        opp,
        actor=alice,
        stage=Stage.objects.get(key="no_decision"),
        expected_version=opp.version,
        lost_reason=reason,
    )
    assert opp.lost_reason == reason and opp.forecast_category == ForecastCategory.OMITTED
    # Reopening clears the loss.
    move_opportunity(
        opp, actor=alice, stage=Stage.objects.get(key="evaluating"), expected_version=opp.version
    )
    assert (
        opp.closed_at is None
        and opp.lost_reason is None
        and opp.forecast_category == ForecastCategory.PIPELINE
    )


def test_stale_move_conflicts(world, alice, bob):
    opp = world["opportunity"]
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="evaluating"), expected_version=1)
    with pytest.raises(ConflictError):
        move_opportunity(opp, actor=bob, stage=Stage.objects.get(key="deciding"), expected_version=1)


def test_stage_of_another_pipeline_is_refused(world, alice):
    other = Pipeline.objects.create(name="재계약", name_en="Renewals")
    stage = Stage.objects.create(pipeline=other, key="renewal", name="갱신", sequence=10)
    with pytest.raises(ValidationError):
        move_opportunity(world["opportunity"], actor=alice, stage=stage, expected_version=1)


def test_krw_amounts_have_no_decimals_but_usd_may(world, alice):
    with pytest.raises(ValidationError):
        create_opportunity(actor=alice, name="x", account=world["account"], amount="1000.5")
    opp = create_opportunity(
        actor=alice, name="y", account=world["account"], amount="1000.50", currency="USD"
    )
    assert opp.currency == "USD"


def test_update_through_stage_change_uses_stage_rules(world, alice):
    opp = world["opportunity"]
    update_opportunity(
        opp,
        actor=alice,
        changes={"stage": Stage.objects.get(key="purchasing"), "next_step": "계약서 검토"},
        expected_version=1,
    )
    assert opp.probability == 85 and opp.next_step == "계약서 검토"


def test_open_deal_keeps_the_reps_probability_and_forecast(world, alice):
    opp = create_opportunity(
        actor=alice,
        name="z",
        account=world["account"],
        probability=42,
        forecast_category=ForecastCategory.COMMIT,
    )
    assert (opp.probability, opp.forecast_category) == (42, ForecastCategory.COMMIT)
    won = create_opportunity(
        actor=alice, name="w", account=world["account"], stage=Stage.objects.get(key="won"), probability=42
    )
    assert (won.probability, won.forecast_category) == (100, ForecastCategory.CLOSED)
