import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from baton.core.testing import assert_audited
from baton.leads.models import Lead
from baton.leads.services import create_lead, log_interaction, update_lead
from baton.scoring.models import LeadScore, PredictiveModel
from baton.scoring.scores import predictive
from baton.scoring.scores.features import FORBIDDEN, Snapshot, feature_names, vectorize
from baton.scoring.scores.services import rescore_lead, score_all_leads, train_model
from baton.scoring.scores.synthetic import generate_history
from baton.scoring.tasks import rescore_all, retrain_and_rescore


def test_metrics_exact_on_a_small_fixed_set():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.4, 0.35, 0.8])
    # Pairs (positive, negative) ranked right: (0.35>0.1), (0.8>0.1), (0.8>0.4); wrong: (0.35<0.4).
    assert predictive.auc(y, p) == pytest.approx(0.75)
    assert predictive.brier(y, p) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    table = predictive.calibration_table(y, p)
    assert [(r["low"], r["n"], r["observed"]) for r in table] == [
        (0.1, 1, 0.0),
        (0.3, 1, 1.0),
        (0.4, 1, 0.0),
        (0.8, 1, 1.0),
    ]
    lift = predictive.lift_by_decile(y, p)
    assert [(r["decile"], r["rate"], r["lift"]) for r in lift] == [
        (1, 1.0, 2.0),
        (2, 0.0, 0.0),
        (3, 1.0, 2.0),
        (4, 0.0, 0.0),
    ]


def snap(i, industry, stages, at=100.0):
    kinds = {1: "web_visit", 3: "seminar", 5: "meeting"}
    return Snapshot(
        i,
        at,
        {"industry": industry, "region": "", "size": "", "source": "web_form"},
        [(kinds[s], at - 1) for s in stages],
    )


def test_naive_bayes_counts_values_and_stage_reached_at_least():
    train = [snap(1, "it", [3]), snap(2, "it", [1]), snap(3, "retail", [])]
    nb = predictive.NaiveBayes(alpha=0.1).fit(train, np.array([1, 0, 0]))
    assert nb.won["industry"] == {"it": 1}
    assert nb.lost["industry"] == {"it": 1, "retail": 1}
    # The won lead reached the seminar stage (3): it counts for stages 0, 1, 2 and 3.
    assert nb.won["stage"] == {"0": 1, "1": 1, "2": 1, "3": 1}
    assert nb.lost["stage"] == {"0": 2, "1": 1}
    # Hand computation for an "it" lead that reached stage 3, alpha 0.1:
    k_ind = len(predictive.CATEGORICAL["industry"])
    k_reg = len(predictive.CATEGORICAL["region"])
    k_size = len(predictive.CATEGORICAL["size"])
    k_src = len(predictive.CATEGORICAL["source"])
    a = 0.1
    won = (1 + a) / (3 + 2 * a)
    won *= (1 + a) / (1 + a * k_ind) * (1 + a) / (1 + a * k_reg) * (1 + a) / (1 + a * k_size)
    won *= (1 + a) / (1 + a * k_src) * (1 + a) / (1 + a * 6)
    lost = (2 + a) / (3 + 2 * a)
    lost *= (1 + a) / (2 + a * k_ind) * (2 + a) / (2 + a * k_reg) * (2 + a) / (2 + a * k_size)
    lost *= (2 + a) / (2 + a * k_src) * (0 + a) / (2 + a * 6)
    assert nb.predict_one(snap(9, "it", [3])) == pytest.approx(won / (won + lost))


def test_features_ignore_everything_after_the_snapshot():
    names = feature_names()
    assert not any(n.split("=")[0] in FORBIDDEN for n in names)
    before = Snapshot(1, 1000.0, {"industry": "it"}, [("seminar", 900.0)])
    with_future = Snapshot(
        1,
        1000.0,
        {"industry": "it", "status": "converted"},
        [("seminar", 900.0), ("meeting", 1001.0), ("meeting", 5000.0)],
    )
    assert np.array_equal(vectorize([before]), vectorize([with_future]))


@pytest.mark.django_db
def test_leakage_post_outcome_meetings_are_not_used(alice):
    """Winners get kick-off meetings after the win: a leaky model would score AUC ~1 with them."""
    generate_history(owner=alice, n=400, seed=3, leak=True)
    data = predictive.build_dataset(window_days=180, snapshot_days=14)
    meeting_col = feature_names().index("meeting_90d")
    x = vectorize(data.snapshots)
    assert x[:, meeting_col].max() == 0.0  # every meeting happened after the snapshot
    result = predictive.evaluate(data)
    assert result.model["auc"] < 0.95


@pytest.mark.django_db
def test_learned_model_beats_naive_bayes_and_is_stored(alice, root):
    stats = generate_history(owner=alice, n=900, seed=11)
    assert stats["won"] > 60
    row = train_model(actor=root)
    assert row.status == PredictiveModel.Status.ACTIVE, row.note
    model_auc = row.metrics["model"]["auc"]
    base_auc = row.metrics["baseline"]["auc"]
    assert model_auc > base_auc + 0.03, (model_auc, base_auc)
    assert 0 < row.metrics["model"]["brier"] < 0.25
    assert row.n_train > row.n_test > 100
    assert len(row.metrics["model"]["lift"]) == 10
    assert row.params["names"] == feature_names()
    assert_audited(row, "create")
    # A fresh lead with strong behaviour now gets a calibrated probability and its reasons.
    lead = create_lead(actor=alice, name="신규", company="신규회사", industry="manufacturing")
    for _ in range(3):
        log_interaction(
            lead, actor=alice, kind="inbound_question", occurred_at=timezone.now() - dt.timedelta(days=1)
        )
    score = LeadScore.objects.get(lead=lead)
    assert score.model_version == row.version
    assert 0.0 < score.probability < 1.0
    assert score.predicted_reasons[0]["feature"] == "inbound_question_90d"
    assert score.predicted_reasons[0]["weight"] > 0
    # Bulk scoring gives the same probability and reasons as the per-change rescoring.
    score_all_leads(batch=250, now=score.computed_at)
    bulk = LeadScore.objects.get(lead=lead)
    assert bulk.probability == score.probability and bulk.predicted_reasons == score.predicted_reasons
    # Retraining makes a new version and retires the old one.
    row2 = train_model(actor=root)
    row.refresh_from_db()
    assert (row.status, row2.status, row2.version) == ("retired", "active", row.version + 1)


@pytest.mark.django_db
def test_not_enough_history_falls_back_to_the_rule_score(alice):
    generate_history(owner=alice, n=60, seed=1)
    row = train_model()
    assert row.status == PredictiveModel.Status.INSUFFICIENT
    assert "wins are needed" in row.note
    lead = Lead.objects.order_by("-id").first()
    score = rescore_lead(lead)
    assert score.probability is None and score.model_version is None


@pytest.mark.django_db
def test_retrain_task_trains_and_rescores(alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    generate_history(owner=alice, n=900, seed=11)
    result = retrain_and_rescore.enqueue()
    assert result.return_value["status"] == "active" and result.return_value["scored"] == 900
    assert rescore_all.enqueue().return_value == 900
    assert LeadScore.objects.filter(model_version__isnull=False).count() == 900


@pytest.mark.django_db
def test_fields_filled_in_after_the_snapshot_are_rewound(alice):
    """The registration number typed in while closing the deal must not be a training feature."""
    lead = create_lead(actor=alice, name="과거", company="과거상사", size="")
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    lead.refresh_from_db()
    update_lead(lead, actor=alice, changes={"brn": "220-81-62517", "size": "1000+"}, expected_version=None)
    data = predictive.build_dataset(window_days=180, snapshot_days=14)
    (snap,) = [s for s in data.snapshots if s.lead_id == lead.pk]
    assert (snap.row["brn"], snap.row["size"]) == ("", "")
    x = vectorize([snap])[0]
    names = feature_names()
    assert x[names.index("has_brn")] == 0.0 and x[names.index("size=")] == 1.0
