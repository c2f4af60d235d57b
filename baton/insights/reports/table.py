"""A report's result as one table (header and rows): what the CSV, the XLSX and the e-mail show."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from baton.insights.reports.engine import Result, display, record_rows


def grid(result: Result) -> list[dict[str, Any]]:
    two = len(result.definition.group_by) == 2
    return [
        {
            "label": result.label(0, r),
            "cells": [display(result.cells.get((r, c))) for c in result.col_keys] if two else [],
            "total": display(result.row_totals.get(r)),
        }
        for r in result.row_keys
    ]


def result_table(result: Result) -> tuple[list[str], list[list[Any]]]:
    definition = result.definition
    if not definition.group_by:
        return [str(c.label) for c in definition.columns], [list(r) for r in record_rows(result)]
    two = len(definition.group_by) == 2
    header = [str(definition.group_by[0][0].label)]
    if two:
        header += [result.label(1, c) for c in result.col_keys]
    header.append(_("Total"))
    return header, [[row["label"], *row["cells"], row["total"]] for row in grid(result)]
