"""The report builder: ``objects`` says what can be reported on, ``engine`` turns a definition into a
result."""

from baton.insights.reports.engine import (
    AGGREGATE_LABELS,
    AGGREGATES,
    OPERATOR_LABELS,
    OPERATORS,
    RELATIVE,
    Amounts,
    Definition,
    Result,
    display,
    filtered_queryset,
    parse_definition,
    record_rows,
    relative_range,
    run_report,
    scalar,
)
from baton.insights.reports.objects import OBJECTS, ReportField, ReportObject

__all__ = [
    "AGGREGATES",
    "AGGREGATE_LABELS",
    "OBJECTS",
    "OPERATORS",
    "OPERATOR_LABELS",
    "RELATIVE",
    "Amounts",
    "Definition",
    "ReportField",
    "ReportObject",
    "Result",
    "display",
    "filtered_queryset",
    "parse_definition",
    "record_rows",
    "relative_range",
    "run_report",
    "scalar",
]
