"""The predictive score: P(the lead becomes a won opportunity within ``window_days``), learned from
the organisation's own history, and the naive Bayes baseline it must beat.

Training is time-ordered. Each historical lead is looked at as it was ``snapshot_days`` after it was
created (features from ``features.py``, which never reads anything after the snapshot); its label is
whether an opportunity converted from it was won within the window after that snapshot. Only leads
whose whole window has passed are labelled. The oldest 75% train, the newest 25% test; inside the
training part, the newest quarter fits the (Platt/sigmoid) calibration. A model is activated only
with enough history and a test AUC clearly above chance; otherwise the rule score stays in charge.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from baton.core.models import ChangeLog
from baton.leads.models import Lead
from baton.scoring.scores.features import (
    CATEGORICAL,
    NUMERIC_START,
    STAGE_COUNT,
    Snapshot,
    feature_names,
    interactions_by_lead,
    stage_reached,
    vectorize,
)

MIN_EXAMPLES = 200
MIN_POSITIVES = 20
MIN_AUC = 0.6
TEST_FRACTION = 0.25
CALIBRATION_FRACTION = 0.25
NB_ALPHA = 0.1


@dataclass
class Dataset:
    snapshots: list[Snapshot]
    labels: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return len(self.snapshots)


MAX_EXAMPLES = 200_000


def build_dataset(
    *, window_days: int, snapshot_days: int, now: dt.datetime | None = None, max_examples: int = MAX_EXAMPLES
) -> Dataset:
    """Labelled snapshots of the leads whose outcome window has closed (the newest ``max_examples`` of
    them, so training cost stays bounded), oldest first."""
    now = now or timezone.now()
    latest_created = now - dt.timedelta(days=window_days + snapshot_days)
    query = (
        Lead.objects.filter(created_at__lte=latest_created)
        .order_by("-created_at", "-id")
        .values(
            "id", "created_at", "industry", "region", "size", "source", "title", "email", "phone", "brn",
            "converted_opportunity__stage__outcome", "converted_opportunity__closed_at",
        )[:max_examples]
    )  # fmt: skip
    # Plain dicts: the field values are rewound to the snapshot below, one key at a time.
    rows = cast("list[dict[str, Any]]", list(query))
    rows.reverse()
    _rewind_to_snapshots(rows, snapshot_days)
    snapshots: list[Snapshot] = []
    labels: list[int] = []
    times: list[float] = []
    window = dt.timedelta(days=window_days)
    by_lead = interactions_by_lead([r["id"] for r in rows])
    for row in rows:
        at = row["created_at"] + dt.timedelta(days=snapshot_days)
        closed: dt.datetime | None = row["converted_opportunity__closed_at"]
        won = row["converted_opportunity__stage__outcome"] == "won"
        if won and closed is not None and closed <= at:
            continue  # decided before we would have scored it: nothing to predict
        label = 1 if won and closed is not None and closed <= at + window else 0
        snapshots.append(Snapshot(row["id"], at.timestamp(), row, by_lead.get(row["id"], [])))
        labels.append(label)
        times.append(at.timestamp())
    return Dataset(snapshots, np.array(labels, dtype=np.int64), np.array(times, dtype=np.float64))


# Lead fields the model reads; their values are rewound to the snapshot through the change log.
AS_OF_FIELDS = ("industry", "region", "size", "source", "title", "email", "phone", "brn")


def _rewind_to_snapshots(rows: list[dict[str, Any]], snapshot_days: int, chunk: int = 5000) -> None:
    """Replace each lead's current field values by the values it had at its snapshot time.

    A field filled in *after* the snapshot (typically the business registration number or the size,
    learned while the deal was worked and won) would otherwise leak the outcome into training. Walking
    the lead's updates after the snapshot from newest to oldest and applying each ``before`` leaves
    the value as of the snapshot.
    """
    if not rows:
        return
    ct = ContentType.objects.get_for_model(Lead)
    by_id = {r["id"]: r for r in rows}
    delta = dt.timedelta(days=snapshot_days)
    ids = list(by_id)
    earliest = min(r["created_at"] for r in rows) + delta
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        changes = (
            ChangeLog.objects.filter(content_type=ct, object_id__in=part, time__gt=earliest)
            .exclude(before={})
            .order_by("-time", "-id")
            .values_list("object_id", "time", "before")
        )
        for object_id, time, before in changes.iterator(chunk_size=5000):
            row = by_id.get(object_id)
            if row is None or time <= row["created_at"] + delta:
                continue
            for name in AS_OF_FIELDS:
                if name in before:
                    row[name] = before[name]


# --- the learned model ------------------------------------------------------------------------------


@dataclass
class LinearModel:
    """Standardised logistic regression + sigmoid calibration, as plain numbers."""

    names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    cal_a: float
    cal_b: float

    def decision(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = self.cal_a * self.decision(x) + self.cal_b
        return 1.0 / (1.0 + np.exp(-z))

    def reasons(self, x_row: np.ndarray, top: int = 3) -> list[dict[str, Any]]:
        """Per-feature contributions in calibrated log-odds, biggest pushes up and down."""
        return self.reasons_batch(x_row.reshape(1, -1), top)[0]

    def reasons_batch(self, x: np.ndarray, top: int = 3) -> list[list[dict[str, Any]]]:
        """Reasons of many rows at once (bulk scoring). Labels are added when shown, in the reader's
        language (``queries.predicted_reasons``)."""
        contrib = self.cal_a * ((x - self.mean) / self.scale) * self.coef
        order = np.argsort(contrib, axis=1)
        names = self.names
        out = []
        for r in range(contrib.shape[0]):
            row, idx = contrib[r], order[r]
            ups = [i for i in idx[::-1][:top] if row[i] > 0.01]
            downs = [i for i in idx[:top] if row[i] < -0.01]
            out.append([{"feature": names[i], "weight": round(float(row[i]), 3)} for i in (*ups, *downs)])
        return out

    def to_params(self) -> dict[str, Any]:
        return {
            "names": self.names,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "cal_a": self.cal_a,
            "cal_b": self.cal_b,
        }

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> LinearModel:
        return cls(
            names=list(p["names"]),
            mean=np.array(p["mean"]),
            scale=np.array(p["scale"]),
            coef=np.array(p["coef"]),
            intercept=float(p["intercept"]),
            cal_a=float(p["cal_a"]),
            cal_b=float(p["cal_b"]),
        )


def fit_linear(x: np.ndarray, y: np.ndarray) -> LinearModel:
    """Fit on the older part, calibrate on the newer part (time order is the row order)."""
    # scikit-learn takes about a second and much memory to import: only training processes pay it.
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - heavy, training only

    n = len(y)
    cut = int(n * (1 - CALIBRATION_FRACTION))
    if len(set(y[:cut].tolist())) < 2 or len(set(y[cut:].tolist())) < 2:
        cut = n  # too few positives to split: calibrate in-sample
    mean = x[:cut].mean(axis=0)
    scale = x[:cut].std(axis=0)
    scale[scale == 0] = 1.0
    # One-hot columns are left unscaled (mean-centred only) so a category's weight reads directly.
    scale[:NUMERIC_START] = 1.0
    xs = (x[:cut] - mean) / scale
    lr = LogisticRegression(C=0.5, max_iter=2000)
    lr.fit(xs, y[:cut])
    model = LinearModel(feature_names(), mean, scale, lr.coef_[0].copy(), float(lr.intercept_[0]), 1.0, 0.0)
    cal_x = x[cut:] if cut < n else x
    cal_y = y[cut:] if cut < n else y
    platt = LogisticRegression(C=1e6, max_iter=1000)
    platt.fit(model.decision(cal_x).reshape(-1, 1), cal_y)
    model.cal_a = float(platt.coef_[0][0])
    model.cal_b = float(platt.intercept_[0])
    return model


# --- the baseline: categorical naive Bayes on win/loss counts per value ---------------------------------


@dataclass
class NaiveBayes:
    """Odoo-style frequency scoring: per field value, how often it was won vs lost; stage counted as
    "reached at least this stage"; additive smoothing ``alpha``."""

    alpha: float = NB_ALPHA
    won: dict[str, dict[str, int]] = field(default_factory=dict)
    lost: dict[str, dict[str, int]] = field(default_factory=dict)
    n_won: int = 0
    n_lost: int = 0

    @staticmethod
    def values(snap: Snapshot) -> dict[str, str]:
        return {f: str(snap.row.get(f) or "") for f in CATEGORICAL}

    def fit(self, snapshots: list[Snapshot], y: np.ndarray) -> NaiveBayes:
        for snap, label in zip(snapshots, y.tolist(), strict=True):
            table = self.won if label else self.lost
            for f, v in self.values(snap).items():
                table.setdefault(f, {})
                table[f][v] = table[f].get(v, 0) + 1
            reached = stage_reached(snap)
            table.setdefault("stage", {})
            for s in range(reached + 1):  # reached at least stage s
                table["stage"][str(s)] = table["stage"].get(str(s), 0) + 1
            if label:
                self.n_won += 1
            else:
                self.n_lost += 1
        return self

    def _likelihood(self, table: dict[str, dict[str, int]], n: int, f: str, v: str) -> float:
        k = len(CATEGORICAL[f]) if f in CATEGORICAL else STAGE_COUNT
        return (table.get(f, {}).get(v, 0) + self.alpha) / (n + self.alpha * k)

    def predict_one(self, snap: Snapshot) -> float:
        total = self.n_won + self.n_lost
        if total == 0:
            return 0.0
        lw = math.log((self.n_won + self.alpha) / (total + 2 * self.alpha))
        ll = math.log((self.n_lost + self.alpha) / (total + 2 * self.alpha))
        items = [*self.values(snap).items(), ("stage", str(stage_reached(snap)))]
        for f, v in items:
            lw += math.log(self._likelihood(self.won, self.n_won, f, v))
            ll += math.log(self._likelihood(self.lost, self.n_lost, f, v))
        m = max(lw, ll)
        return math.exp(lw - m) / (math.exp(lw - m) + math.exp(ll - m))

    def predict(self, snapshots: list[Snapshot]) -> np.ndarray:
        return np.array([self.predict_one(s) for s in snapshots])


# --- metrics ----------------------------------------------------------------------------------------


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415 - heavy, evaluation only

    if len(set(np.asarray(y).tolist())) < 2:
        return None
    return float(roc_auc_score(y, p))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width probability bins: how many, mean predicted, observed win rate."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = idx == b
        n = int(mask.sum())
        if n:
            rows.append(
                {
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "n": n,
                    "predicted": float(p[mask].mean()),
                    "observed": float(y[mask].mean()),
                }
            )
    return rows


def lift_by_decile(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    """Leads sorted by score, cut into ten groups: win rate per group divided by the overall rate."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-np.asarray(p, dtype=float), kind="stable")
    base = y.mean() if len(y) else 0.0
    rows = []
    for d, chunk in enumerate(np.array_split(order, 10), start=1):
        if len(chunk) == 0:
            continue
        rate = float(y[chunk].mean())
        rows.append({"decile": d, "n": len(chunk), "rate": rate, "lift": rate / base if base else 0.0})
    return rows


def metrics_for(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {
        "auc": auc(y, p),
        "brier": brier(y, p),
        "calibration": calibration_table(y, p),
        "lift": lift_by_decile(y, p),
    }


@dataclass
class Evaluation:
    n_train: int
    n_test: int
    positives: int
    model: dict[str, Any]
    baseline: dict[str, Any]
    enough: bool
    reason: str = ""
    fitted: LinearModel | None = None


def evaluate(data: Dataset) -> Evaluation:
    """Time split: train on the oldest 75%, test both the model and the baseline on the newest 25%."""
    n = len(data)
    positives = int(data.labels.sum()) if n else 0
    if n < MIN_EXAMPLES or positives < MIN_POSITIVES or positives == n:
        return Evaluation(n, 0, positives, {}, {}, False, "insufficient")
    order = np.argsort(data.times, kind="stable")
    snaps = [data.snapshots[i] for i in order]
    y = data.labels[order]
    cut = int(n * (1 - TEST_FRACTION))
    if len(set(y[:cut].tolist())) < 2 or len(set(y[cut:].tolist())) < 2:
        return Evaluation(n, 0, positives, {}, {}, False, "insufficient")
    x = vectorize(snaps)
    model = fit_linear(x[:cut], y[:cut])
    p_model = model.predict(x[cut:])
    nb = NaiveBayes().fit(snaps[:cut], y[:cut])
    p_nb = nb.predict(snaps[cut:])
    return Evaluation(
        cut, n - cut, positives, metrics_for(y[cut:], p_model), metrics_for(y[cut:], p_nb), True, fitted=model
    )


def fit_final(data: Dataset) -> LinearModel:
    order = np.argsort(data.times, kind="stable")
    snaps = [data.snapshots[i] for i in order]
    return fit_linear(vectorize(snaps), data.labels[order])
