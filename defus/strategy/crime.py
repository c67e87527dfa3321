"""Recorded crime from the police's statistics: a CSV of district;year;category;count.

Read with the platform's one CSV reader (fieldwork.services.csvfiles: UTF-8 with or without
BOM, Windows-1252, semicolon or comma). The import is all or nothing: any problem – reported
as "line N, column X: reason" – and nothing is stored. A new import of the same (year,
district, category) replaces its count, so a corrected file can simply be imported again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from defus.fieldwork.services.csvfiles import CsvError, read_csv
from defus.fieldwork.services.exchange import ImportProblem
from defus.organisations.models import Organisation

from .models import CrimeFigure

COLUMNS = ("district", "year", "category", "count")
ALIASES = {
    "bezirk": "district",
    "stadtteil": "district",
    "quartier": "district",
    "jahr": "year",
    "année": "year",
    "annee": "year",
    "kategorie": "category",
    "delikt": "category",
    "deliktsgruppe": "category",
    "catégorie": "category",
    "anzahl": "count",
    "fälle": "count",
    "faelle": "count",
    "nombre": "count",
}
MAX_PROBLEMS = 50
YEARS = (1900, 2100)
_GROUPED = re.compile(r"^\d{1,3}([.,\u00a0\u202f ]\d{3})+$")  # 1.234 / 1,234 / 1 234


@dataclass
class CrimeImport:
    rows: int = 0
    created: int = 0
    replaced: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(line, column, message))
        else:
            self.more_problems += 1


def whole_number(text: str) -> int | None:
    text = text.strip()
    if _GROUPED.match(text):
        text = re.sub(r"\D", "", text)
    return int(text) if text.isdigit() else None


def import_crime(organisation: Organisation, data: bytes) -> CrimeImport:
    """Check the whole file, then store it in one transaction – or nothing at all."""
    result = CrimeImport()
    try:
        table = read_csv(data, COLUMNS, aliases=ALIASES)
    except CsvError as error:
        result.problem(None, None, error.message)
        return result
    header = {name: table.headers.get(name, name) for name in COLUMNS}
    for problem in table.overlong:
        result.problem(problem.line, None, problem.message)
    if not table.rows:
        result.problem(None, None, _("The file has no data rows below the header."))
        return result
    cells: dict[tuple[int, str, str], int] = {}
    first_line: dict[tuple[int, str, str], int] = {}
    for row in table.rows:
        result.rows += 1
        district, category = row["district"], row["category"]
        if not district:
            result.problem(row.line, header["district"], _("the district code is missing"))
        elif len(district) > 20:
            result.problem(
                row.line, header["district"], _("a district code has at most 20 characters")
            )
        year = whole_number(row["year"])
        if year is None or not YEARS[0] <= year <= YEARS[1]:
            result.problem(
                row.line,
                header["year"],
                _("“%(value)s” is not a year (e.g. 2024)") % {"value": row["year"]},
            )
        if not category:
            result.problem(row.line, header["category"], _("the offence category is missing"))
        elif len(category) > 120:
            result.problem(row.line, header["category"], _("a category has at most 120 characters"))
        count = whole_number(row["count"])
        if count is None:
            result.problem(
                row.line,
                header["count"],
                _("“%(value)s” is not a whole number ≥ 0") % {"value": row["count"]},
            )
        if year is None or count is None or not district or not category:
            continue
        key = (year, district, category)
        if key in first_line:
            result.problem(
                row.line,
                header["category"],
                _("district %(district)s, %(year)d, %(category)s is already in line %(line)d")
                % {
                    "district": district,
                    "year": year,
                    "category": category,
                    "line": first_line[key],
                },
            )
            continue
        first_line[key] = row.line
        cells[key] = count
    if not result.ok:
        return result
    with transaction.atomic():
        existing = set(
            CrimeFigure.objects.filter(organisation=organisation).values_list(
                "year", "district", "category"
            )
        )
        result.replaced = sum(1 for key in cells if key in existing)
        result.created = len(cells) - result.replaced
        CrimeFigure.objects.bulk_create(
            [
                CrimeFigure(
                    organisation=organisation,
                    year=year,
                    district=district,
                    category=category,
                    count=count,
                )
                for (year, district, category), count in cells.items()
            ],
            update_conflicts=True,
            unique_fields=["organisation", "year", "district", "category"],
            update_fields=["count"],
        )
    return result


@dataclass
class CrimeTable:
    """One district: categories as rows, years as columns."""

    district: str
    years: list[int]
    rows: list[dict[str, Any]]  # {"category", "cells": [count or None], "latest": CrimeFigure}


def crime_tables(organisation: Organisation) -> list[CrimeTable]:
    by_district: dict[str, list[CrimeFigure]] = defaultdict(list)
    for figure in CrimeFigure.objects.filter(organisation=organisation).order_by(
        "district", "category", "year"
    ):
        by_district[figure.district].append(figure)
    tables = []
    for district, figures in sorted(by_district.items()):
        years = sorted({f.year for f in figures})
        categories: dict[str, dict[int, CrimeFigure]] = defaultdict(dict)
        for figure in figures:
            categories[figure.category][figure.year] = figure
        rows = []
        for category, per_year in sorted(categories.items(), key=lambda c: c[0].casefold()):
            rows.append(
                {
                    "category": category,
                    "cells": [per_year[y].count if y in per_year else None for y in years],
                    "latest": per_year[max(per_year)],
                }
            )
        tables.append(CrimeTable(district, years, rows))
    return tables
