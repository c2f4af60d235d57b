"""Evaluate the predictive score against the naive Bayes baseline on a time split of the org's history."""

from django.core.management.base import BaseCommand

from baton.scoring.scores import predictive


class Command(BaseCommand):
    help = (
        "Time-split AUC, Brier score, calibration and lift by decile: learned model vs naive Bayes baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--window-days", type=int, default=180)
        parser.add_argument("--snapshot-days", type=int, default=14)

    def handle(self, *args, window_days, snapshot_days, **options):
        data = predictive.build_dataset(window_days=window_days, snapshot_days=snapshot_days)
        result = predictive.evaluate(data)
        if not result.enough:
            self.stdout.write(
                f"Not enough history: {len(data)} labelled leads, {result.positives} wins "
                f"(need {predictive.MIN_EXAMPLES} and {predictive.MIN_POSITIVES})."
            )
            return
        self.stdout.write(f"train {result.n_train}, test {result.n_test} (newest), wins {result.positives}")
        for name, m in (("model", result.model), ("naive Bayes", result.baseline)):
            self.stdout.write(f"{name:12s} AUC {m['auc']:.3f}  Brier {m['brier']:.4f}")
            lift = " ".join(f"{r['lift']:.2f}" for r in m["lift"])
            self.stdout.write(f"{'':12s} lift by decile: {lift}")
            for r in m["calibration"]:
                self.stdout.write(
                    f"{'':12s} {r['low']:.1f}-{r['high']:.1f}: n={r['n']:4d} "
                    f"predicted {r['predicted']:.3f} observed {r['observed']:.3f}"
                )
