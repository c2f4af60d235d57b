"""Flow-metric input and output shared by the pages and the API: the period and filters read from a
query, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.choices import CompanySize, Industry
from baton.core.params import choice_param, date_param, id_param, int_param
from baton.leads.models import LeadSource
from baton.process.metrics import Filters, FlowMetrics

# --- period and filters, shared by the pages, the API and the CSV export ------------------------------


def parse_period(params: Any) -> tuple[dt.datetime, dt.datetime, dict[str, Any]]:
    """``start``/``end`` dates (end inclusive) or ``days`` back from today (default 90)."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start_d = date_param(params, "start")
    end_d = date_param(params, "end")
    if start_d is None:
        days = int_param(params, "days", minimum=1, maximum=3660) or 90
        end_d = end_d or today
        start_d = end_d - dt.timedelta(days=days - 1)
    end_d = end_d or today
    if end_d < start_d:
        raise ValidationError({"end": [_("The end date is before the start date.")]})
    start = dt.datetime.combine(start_d, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(end_d + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end, {"start": start_d, "end": end_d, "days": (end_d - start_d).days + 1}


def parse_filters(params: Any) -> Filters:
    return Filters(
        team=id_param(params, "team"),
        owner=id_param(params, "owner"),
        source=choice_param(params, "source", LeadSource.values),
        size=choice_param(params, "size", CompanySize.values),
        industry=choice_param(params, "industry", Industry.values),
    )


# --- the CSV export ---------------------------------------------------------------------------------


CSV_COLUMNS = [
    "stage",
    "name",
    "department",
    "record_kind",
    "arrivals",
    "wip",
    "exits",
    "throughput",
    "throughput_per_week",
    "forward_conversions",
    "conversion_rate",
    "dwell_median_days",
    "dwell_p90_days",
    "sla_breaches",
    "handoffs_offered",
    "handoffs_accepted",
    "handoffs_rejected",
    "handoffs_pending",
    "handoff_sla_breaches",
    "recycled_out",
    "bottleneck_rank",
]


def metrics_csv(result: FlowMetrics) -> HttpResponse:
    """Stages first, then one row per transition, in one sheet."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Korean text correctly only with a BOM
    writer = csv.writer(out)
    writer.writerow(
        ["period", result.start.date().isoformat(), (result.end - dt.timedelta(days=1)).date().isoformat()]
    )
    writer.writerow(CSV_COLUMNS)
    for m in result.stages:
        row = m.as_dict()
        writer.writerow([_csv_value(row.get(c)) for c in CSV_COLUMNS])
    writer.writerow([])
    writer.writerow(["from", "to", "conversions", "rate", "flow", "forward"])
    for t in result.transitions:
        row = t.as_dict()
        writer.writerow(
            [row["from"], row["to"], row["conversions"], _csv_value(row["rate"]), row["flow"], row["forward"]]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"baton-flow-{result.start.date():%Y%m%d}-{(result.end - dt.timedelta(days=1)).date():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a spreadsheet run a name as a formula
    return "" if value is None else value
