"""A wave's answers with weights as files for statistics programs, and its tables for Excel.

Microdata: one row per completed questionnaire, in a fresh random order and numbered 1..n
(never the stored id nor the order of completion), with every item of the instrument and

    row_number  1..n in random order          district    the sampling district's answer code
    source      1 random sample, 2 open link  weight      mean 1 over the weighted random sample
    mode        1 online, 2 paper             weight_pop  sums to the adult population
    language    the questionnaire's language

Answers via the open link and answers without a sampling district get weight 0: they are
not part of the weighted base. Missing answers: -9 (no answer) and -8 (not asked because of
a filter) – user-missing values in SPSS, the extended missing values .a and .b in Stata
(Stata's own way; its commands then leave them out without further ado). "Don't know" and
"don't go there" are valid answers with their own codes, never missing.

Formats: SPSS (.sav) and Stata (.dta) with variable and value labels, Excel (.xlsx: data,
codebook, notes) and CSV (a ZIP with data.csv and codebook.csv, UTF-8).

Tables (`tables`): an Excel workbook with one sheet per module, every item's estimates from
results.estimate_item (suppressed cells shown as "–"), and the weighting on a "Methods" sheet.

Files are made in the background and recorded as ExportFile; one made for the current answer
revision and weighting settings is reused, older revisions are deleted when a new file is
ready (`get_or_start_export`).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import random
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..core.background import run_in_background
from ..fieldwork.models import Response, Wave
from ..instrument.codebook import CODEBOOK_COLUMNS, codebook_rows
from ..instrument.definition import NO_ANSWER, NOT_APPLICABLE, Instrument, Item, translate
from .data import WaveData
from .margins import Settings, WaveDesign, wave_design
from .models import ExportFile
from .results import AnalysisError, Estimate, base_statement, estimate_item, minimum_cell
from .weighting import WeightingError

logger = logging.getLogger(__name__)

MICRODATA_KINDS = ("sav", "dta", "xlsx", "csv")
TABLES = "tables"
KINDS = (*MICRODATA_KINDS, TABLES)
EXTENSIONS = {"sav": "sav", "dta": "dta", "xlsx": "xlsx", "csv": "zip", TABLES: "xlsx"}
BREAKDOWNS = ("district", "gender", "age_group")
STATA_MISSING = {NO_ANSWER: "a", NOT_APPLICABLE: "b"}  # Stata's extended missing .a and .b
SPSS_LABEL_BYTES = 256  # variable labels; value labels: 120 bytes
SPSS_VALUE_LABEL_BYTES = 120
SPSS_NOTE_LINE_BYTES = 80  # the file's notes ("documents") are lines of 80 bytes
STATA_LABEL_CHARACTERS = 80
SUPPRESSED = "–"
STALE_AFTER = timedelta(minutes=30)  # a file "being prepared" that long was lost (restart)
EXCEL_SHEET_NAME = 31
EXCEL_MAX_ROWS = 1_048_576


class ExportError(ValueError):
    """An export that cannot be made as asked (the message says why, for people)."""


# --- the microdata as columns -------------------------------------------------------------


@dataclass
class Variable:
    name: str
    label: str
    values: list[Any]  # int codes, floats, str, or None (no value: the open link's district)
    kind: str  # "code" (answer codes), "number", "weight", "text", "meta"
    value_labels: dict[int, str] = field(default_factory=dict)  # with −9 / −8 for items
    missing_codes: bool = False  # −9 / −8 are missing values of this variable
    measure: str = "nominal"  # SPSS: nominal, ordinal, scale
    spss_format: str = "F8.0"


@dataclass
class Microdata:
    language: str  # of the labels
    title: str
    variables: list[Variable]
    codebook: list[dict[str, Any]]
    notes: list[str]


def _unique_name(name: str, taken: set[str]) -> str:
    """A meta variable's name, unless an item of the wave has it (SPSS ignores case)."""
    return name if name.lower() not in taken else f"defus_{name}"


def build_microdata(wave: Wave, language: str) -> Microdata:
    """The wave's microdata; raises WeightingError when the sample cannot be weighted."""
    design = wave_design(wave)  # outside the label language: its errors are for the user
    data = design.data
    instrument = wave.instrument
    order = list(range(data.n))
    random.SystemRandom().shuffle(order)
    with translation.override(language):
        return _microdata(wave, instrument, data, design, np.array(order, dtype=np.int64))


def _microdata(
    wave: Wave, instrument: Instrument, data: WaveData, design: WaveDesign, order: np.ndarray
) -> Microdata:
    language = translation.get_language() or "de"
    item_names = {item.code.lower() for item in instrument.items}
    weights = design.row_weights()
    in_base = weights[design.rows]
    mean = float(in_base.mean()) if in_base.size else 1.0
    districts = data.districts
    stratum = data.stratum[order]
    names = {base: _unique_name(base, item_names) for base in META_NAMES}
    variables = [
        Variable(
            names["row_number"],
            _("Row number (in random order; not an identifier of the answer)"),
            list(range(1, data.n + 1)),
            "meta",
            measure="scale",
        ),
        Variable(
            names["source"],
            _("Where the respondent came from"),
            [1 if sample else 2 for sample in data.is_sample[order]],
            "meta",
            {1: str(Response.Source.SAMPLE.label), 2: str(Response.Source.OPEN_LINK.label)},
            spss_format="F1.0",
        ),
        Variable(
            names["mode"],
            _("How the questionnaire was answered"),
            [2 if paper else 1 for paper in data.is_paper[order]],
            "meta",
            {1: str(Response.Mode.WEB.label), 2: str(Response.Mode.PAPER.label)},
            spss_format="F1.0",
        ),
        Variable(
            names["language"],
            _("Language of the questionnaire"),
            [data.language[i] for i in order],
            "text",
        ),
        # The day of completion is left out on purpose: with the district (and age and
        # gender) it can point to a person in a small district; monitoring shows returns
        # per day without any answer.
        Variable(
            names["district"],
            _("District of the sample stratum (empty: not from the sample or not known)"),
            [districts[s].answer_code if s >= 0 else None for s in stratum],
            "meta",
            {d.answer_code: d.name for d in districts},
            spss_format="F4.0",
        ),
        Variable(
            names["weight"],
            _(
                "Weight (mean 1 in the weighted random sample; 0 for the open link and "
                "answers without a sampling district)"
            ),
            [float(w) for w in weights[order] / mean],
            "weight",
            measure="scale",
            spss_format="F12.6",
        ),
        Variable(
            names["weight_pop"],
            _("Population weight (sums to the adult population; 0 outside the weighted sample)"),
            [float(w) for w in weights[order]],
            "weight",
            measure="scale",
            spss_format="F12.4",
        ),
    ]
    codebook = _meta_codebook(variables)
    item_rows = codebook_rows(instrument, language)
    labels_of: dict[str, dict[int, str]] = {}
    for row in item_rows:
        if isinstance(row["value"], int):
            labels_of.setdefault(row["variable"], {})[row["value"]] = str(row["value_label"])
    for question in instrument.questions:
        for item in question.items:
            label = _joined(question.label(language), item.label(language))
            if item.kind == "text":
                texts = data.texts[item.code]
                variables.append(Variable(item.code, label, [texts[i] for i in order], "text"))
                continue
            number = item.kind == "number"
            variables.append(
                Variable(
                    item.code,
                    label,
                    [int(v) for v in data.items[item.code][order]],
                    "number" if number else "code",
                    labels_of.get(item.code, {}),
                    missing_codes=True,
                    measure=_measure(item),
                    spss_format="F4.0" if number else "F3.0",
                )
            )
    codebook += item_rows
    notes = microdata_notes(wave, data.n)
    return Microdata(language, wave.title, variables, codebook, notes)


META_NAMES = ("row_number", "source", "mode", "language", "district", "weight", "weight_pop")


def microdata_notes(wave: Wave, rows: int) -> list[str]:
    return [
        _("%(wave)s: %(n)d completed questionnaires, one per row, in random order.")
        % {"wave": wave.title, "n": rows},
        _(
            "Weight shares and means of the random sample with “weight” (SPSS: WEIGHT BY "
            "weight; Stata: [pweight=weight]); “weight_pop” projects to the adult population. "
            "The sample is stratified by sampling district (“district”). Answers via the open "
            "link (source 2) have weight 0: they are not a random sample."
        ),
        _(
            "Missing values: -9 no answer, -8 not asked because of a filter (in the Stata "
            "file .a and .b). “Don't know” and “don't go there” are valid answers with their "
            "own codes."
        ),
        _(
            "The day of completion is not included: together with the district it could "
            "point to a person."
        ),
    ]


def _measure(item: Item) -> str:
    if item.kind == "number":
        return "scale"
    return "ordinal" if item.scale is not None and item.scale.ordinal else "nominal"


def _joined(question: str, item: str) -> str:
    return question if item == question else f"{question} – {item}"


def _meta_codebook(variables: Sequence[Variable]) -> list[dict[str, Any]]:
    rows = []
    for variable in variables:
        base = {
            "variable": variable.name,
            "module": "",
            "question": "",
            "kind": "number" if variable.kind in ("weight", "meta") else "text",
            "label": variable.label,
            "comparable": "yes",
        }
        if variable.value_labels:
            base["kind"] = "single"
        pairs: list[tuple[Any, str]] = list(variable.value_labels.items()) or [("", "")]
        for value, label in pairs:
            rows.append({**base, "value": value, "value_label": label, "value_type": "substantive"})
    return rows


# --- labels that fit the formats ---------------------------------------------------------------


def shorten(text: str, fits: Callable[[str], bool]) -> str:
    """`text`, cut at a word boundary with "…" until it fits."""
    if fits(text):
        return text
    words = text.split()
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(",;:–-") + "…"
        if words and fits(candidate):
            return candidate
    characters = text
    while characters and not fits(characters + "…"):
        characters = characters[:-1]
    return characters + "…"


def fit_label(label: str, fits: Callable[[str], bool]) -> str:
    """A variable label that fits: for "question – item" the question is shortened first, so
    that the items of one grid stay told apart."""
    if fits(label):
        return label
    question, separator, item = label.partition(" – ")
    if separator and fits("… – " + item):
        tail = " – " + item
        return shorten(question, lambda text: fits(text + tail)) + tail
    return shorten(item if separator else label, fits)


def wrap_bytes(text: str, limit: int) -> list[str]:
    """`text` as lines of at most `limit` bytes in UTF-8, broken between words."""
    fits = _fits_bytes(limit)
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        while not fits(word):  # a single word longer than a line
            cut = len(word)
            while not fits(word[:cut]):
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _fits_bytes(limit: int) -> Callable[[str], bool]:
    return lambda text: len(text.encode("utf-8")) <= limit


def _fits_characters(limit: int) -> Callable[[str], bool]:
    return lambda text: len(text) <= limit


# --- writers ------------------------------------------------------------------------------


def _numeric(values: list[Any]) -> pd.Series:
    return pd.Series([np.nan if v is None else v for v in values], dtype="float64")


def write_sav(micro: Microdata, path: Path) -> None:
    fits_label = _fits_bytes(SPSS_LABEL_BYTES)
    fits_value = _fits_bytes(SPSS_VALUE_LABEL_BYTES)
    frame = pd.DataFrame(
        {
            v.name: pd.Series(v.values, dtype="str") if v.kind == "text" else _numeric(v.values)
            for v in micro.variables
        }
    )
    value_labels = {
        v.name: {float(code): shorten(label, fits_value) for code, label in v.value_labels.items()}
        for v in micro.variables
        if v.value_labels
    }
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=shorten(micro.title, _fits_bytes(64)),
        column_labels={v.name: fit_label(v.label, fits_label) for v in micro.variables},
        note=[line for note in micro.notes for line in wrap_bytes(note, SPSS_NOTE_LINE_BYTES)],
        variable_value_labels=value_labels,
        missing_ranges={
            v.name: [NO_ANSWER, NOT_APPLICABLE] for v in micro.variables if v.missing_codes
        },
        variable_measure={v.name: v.measure for v in micro.variables},
        variable_format={v.name: v.spss_format for v in micro.variables if v.kind != "text"},
    )


def write_dta(micro: Microdata, path: Path) -> None:
    fits = _fits_characters(STATA_LABEL_CHARACTERS)
    columns: dict[str, pd.Series] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    for v in micro.variables:
        if v.kind == "text":
            columns[v.name] = pd.Series(v.values, dtype="str")
        elif v.missing_codes:
            columns[v.name] = pd.Series(
                [STATA_MISSING.get(value, value) for value in v.values], dtype=object
            )
        else:
            columns[v.name] = _numeric(v.values)
        if v.value_labels:
            value_labels[v.name] = {
                STATA_MISSING.get(code, code) if v.missing_codes else code: label
                for code, label in v.value_labels.items()
            }
    pyreadstat.write_dta(
        pd.DataFrame(columns),
        str(path),
        file_label=shorten(micro.title, fits),
        column_labels={v.name: fit_label(v.label, fits) for v in micro.variables},
        variable_value_labels=value_labels,
        missing_user_values={
            v.name: list(STATA_MISSING.values()) for v in micro.variables if v.missing_codes
        },
        version=15,
    )


def _excel_cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # A text answer such as "=HYPERLINK(…)" must stay text, never become a formula.
        cell.data_type = "s"
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell


def _sheet_title(title: str, taken: set[str]) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip() or "-"
    name = cleaned[:EXCEL_SHEET_NAME]
    number = 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = cleaned[: EXCEL_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def write_xlsx(micro: Microdata, path: Path) -> None:
    rows = len(micro.variables[0].values) if micro.variables else 0
    if rows >= EXCEL_MAX_ROWS:  # one row is the header
        raise ExportError(
            _("Excel holds at most %(rows)s rows: please choose SPSS, Stata or CSV.")
            % {"rows": number_format(EXCEL_MAX_ROWS, force_grouping=True)}
        )
    with translation.override(micro.language):
        _write_microdata_book(micro, path)


def _write_microdata_book(micro: Microdata, path: Path) -> None:
    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    sheet = book.create_sheet(_sheet_title(_("Data"), taken))
    sheet.freeze_panes = "B2"
    sheet.append([_excel_cell(sheet, v.name, font=bold) for v in micro.variables])
    columns = [v.values for v in micro.variables]
    for row in zip(*columns, strict=True):
        sheet.append([_excel_cell(sheet, value) for value in row])
    _write_codebook_sheet(book, micro, taken)
    notes = book.create_sheet(_sheet_title(_("Notes"), taken))
    for note in micro.notes:
        notes.append([_excel_cell(notes, note)])
    book.save(path)


def _write_codebook_sheet(book: Workbook, micro: Microdata, taken: set[str]) -> None:
    sheet = book.create_sheet(_sheet_title(_("Codebook"), taken))
    sheet.append([_excel_cell(sheet, c, font=Font(bold=True)) for c in CODEBOOK_COLUMNS])
    for row in micro.codebook:
        sheet.append([_excel_cell(sheet, row.get(c, "")) for c in CODEBOOK_COLUMNS])


def write_csv_zip(micro: Microdata, path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with (
            archive.open("data.csv", "w") as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
        ):
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow([v.name for v in micro.variables])
            columns = [v.values for v in micro.variables]
            for row in zip(*columns, strict=True):
                writer.writerow([_csv_value(value) for value in row])
        with (
            archive.open("codebook.csv", "w") as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
        ):
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(CODEBOOK_COLUMNS)
            for entry in micro.codebook:
                writer.writerow([entry.get(c, "") for c in CODEBOOK_COLUMNS])
        archive.writestr("README.txt", "\n\n".join(micro.notes) + "\n")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return value


MICRODATA_WRITERS: dict[str, Callable[[Microdata, Path], None]] = {
    "sav": write_sav,
    "dta": write_dta,
    "xlsx": write_xlsx,
    "csv": write_csv_zip,
}


# --- tables -----------------------------------------------------------------------------------


def tables_xlsx(wave: Wave, path: Path, *, by: str | None = None, language: str = "de") -> None:
    """Estimates of every item (and index) of the weighted random sample as an Excel workbook:
    one sheet per module, suppressed figures as "–", the weighting on a "Methods" sheet."""
    if by is not None and by not in BREAKDOWNS:
        raise ExportError(_("Unknown breakdown %(by)s.") % {"by": by})
    design = wave_design(wave)
    instrument = wave.instrument
    with translation.override(language):
        statement = base_statement(design)
        book = Workbook(write_only=True)
        taken: set[str] = set()
        question_of = {item.code: q for q in instrument.questions for item in q.items}
        for module in instrument.modules:
            items = [item for item in module.items if item.kind != "text"]
            if not items:
                continue
            title = f"{module.code} {translate(module.title, language)}"
            sheet = book.create_sheet(_sheet_title(title, taken))
            _table_head(sheet, translate(module.title, language), statement)
            for item in items:
                question = question_of[item.code]
                label = _joined(question.label(language), item.label(language))
                rows = estimate_item(design, item.code, by=by, language=language)
                _table_block(
                    sheet, f"{item.code} – {label}", rows, _answer_labels(item, language), by
                )
        if instrument.indices:
            sheet = book.create_sheet(_sheet_title(_("Indices"), taken))
            _table_head(sheet, _("Indices"), statement)
            for index in instrument.indices:
                rows = estimate_item(design, index.code, by=by, language=language)
                title = f"{index.code} – {translate(index.label, language)}"
                _table_block(sheet, title, rows, {}, by)
        _methods_sheet(book, taken, wave, design, statement)
        book.save(path)


def _table_head(sheet: WriteOnlyWorksheet, title: str, statement: str) -> None:
    sheet.append([_excel_cell(sheet, title, font=Font(bold=True, size=14))])
    sheet.append([_excel_cell(sheet, statement)])
    sheet.append([])


def _answer_labels(item: Item, language: str) -> dict[int, str]:
    if item.kind == "single" and item.scale is not None:
        labels = {o.code: o.text(language) for o in item.scale.options}
        for code in item.scale.special_codes:
            labels[code] = _("%(answer)s (share of all answers)") % {"answer": labels[code]}
        return labels
    if item.kind == "multi":
        return {1: _("ticked"), 0: _("not ticked")}
    return {}


def _table_block(
    sheet: WriteOnlyWorksheet,
    title: str,
    rows: Iterable[Estimate],
    answer_labels: dict[int, str],
    by: str | None,
) -> None:
    bold = Font(bold=True)
    sheet.append([_excel_cell(sheet, title, font=bold)])
    header = [_("Answer"), _("Estimate"), _("95 % CI from"), _("95 % CI to"), _("n")]
    if by is not None:
        header.insert(0, _("Group"))
    sheet.append([_excel_cell(sheet, text, font=bold) for text in header])
    for row in rows:
        if row.statistic == "mean":
            answer = _("mean")
            number_format = "0.00"
            scale = 1.0
        else:
            codes = row.codes or []
            answer = " / ".join(answer_labels.get(c, str(c)) for c in codes) + " (%)"
            number_format = "0.0"
            scale = 100.0
        cells: list[Any] = [answer]
        if row.suppressed:
            cells += [SUPPRESSED] * 4
        else:
            low, high = row.ci_low, row.ci_high
            if row.statistic == "share":  # as on the dashboard: a share's CI within 0–100 %
                low, high = max(low, 0.0), min(high, 1.0)
            cells += [
                *(
                    _number(sheet, value * scale, number_format)
                    for value in (row.estimate, low, high)
                ),
                row.n,
            ]
        if by is not None:
            cells.insert(0, row.group_label if row.by is not None else _("all"))
        sheet.append([c if isinstance(c, Cell) else _excel_cell(sheet, c) for c in cells])
    sheet.append([])


def _number(sheet: WriteOnlyWorksheet, value: float, number_format: str) -> Cell | str:
    if not np.isfinite(value):
        return SUPPRESSED
    return _excel_cell(sheet, float(value), number_format=number_format)


def _methods_sheet(
    book: Workbook, taken: set[str], wave: Wave, design: WaveDesign, statement: str
) -> None:
    info = design.diagnostics()
    sheet = book.create_sheet(_sheet_title(_("Methods"), taken))
    _table_head(sheet, _("Methods"), statement)
    facts: list[tuple[str, Any]] = [
        (_("Survey wave"), wave.title),
        (_("Questionnaire"), wave.instrument.ident),
        (_("Answers used (revision)"), int(design.data.revision)),
        (_("Made on"), timezone.localdate().isoformat()),
        (_("Respondents in the weighted base"), info.get("n", 0)),
        (
            _("Answers of the random sample without a sampling district (left out)"),
            info["excluded"],
        ),
        (_("Margins"), ", ".join(info["margins"])),
    ]
    if info.get("n"):
        facts += [
            (_("Population"), round(info["population"])),
            (_("Smallest weight (relative to the mean)"), round(info["weight_min"], 4)),
            (_("Largest weight (relative to the mean)"), round(info["weight_max"], 4)),
            (_("Ratio of largest to smallest weight"), round(info["weight_ratio"], 2)),
            (_("Design effect (Kish)"), round(info["design_effect"], 4)),
            (_("Effective sample size"), round(info["effective_n"], 1)),
        ]
    facts += [
        (_("Iterations"), info["iterations"]),
        (_("Converged"), _("yes") if info["converged"] else _("no")),
        (_("Weighting cells trimmed"), info["trimmed_cells"]),
        (_("Minimum number of respondents for a figure"), minimum_cell()),
    ]
    for label, value in facts:
        sheet.append([_excel_cell(sheet, label, font=Font(bold=True)), _excel_cell(sheet, value)])
    for note in info["notes"]:
        sheet.append([_excel_cell(sheet, _("Note")), _excel_cell(sheet, note)])


# --- one entry point for the command line and the background ----------------------------------


def write_export(
    wave: Wave, kind: str, path: Path, *, language: str, by: str | None = None
) -> None:
    """Write the export `kind` of the wave to `path` (synchronously)."""
    if language not in wave.instrument.languages:
        raise ExportError(
            _("The questionnaire has no language %(language)s.") % {"language": language}
        )
    if kind == TABLES:
        tables_xlsx(wave, path, by=by, language=language)
        return
    writer = MICRODATA_WRITERS.get(kind)
    if writer is None:
        raise ExportError(_("Unknown export format %(kind)s.") % {"kind": kind})
    writer(build_microdata(wave, language), path)


# --- files made once per revision, in the background -----------------------------------------


def current_revision(wave: Wave) -> int:
    return int(Wave.objects.filter(pk=wave.pk).values_list("answers_revision", flat=True).get())


def settings_key(wave: Wave, kind: str, by: str | None = None) -> str:
    key = Settings.for_wave(wave).key()
    return f"{key}:by={by}" if kind == TABLES and by else key


def export_breakdown(export: ExportFile) -> str | None:
    _key, _separator, by = export.settings_key.partition(":by=")
    return by or None


def export_path(export: ExportFile) -> Path | None:
    """The file on disk, if it is there (the path is ours, under MEDIA_ROOT/exports/)."""
    if not export.path:
        return None
    root = (Path(settings.MEDIA_ROOT) / "exports").resolve()
    path = (Path(settings.MEDIA_ROOT) / export.path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def download_name(export: ExportFile) -> str:
    what = "tables" if export.kind == TABLES else "microdata"
    by = export_breakdown(export)
    parts = [export.wave.slug, what, *([by] if by else []), export.language]
    return "-".join(parts) + "." + EXTENSIONS[export.kind]


def get_or_start_export(
    wave: Wave,
    kind: str,
    language: str,
    by: str | None = None,
    *,
    ui_language: str | None = None,
) -> ExportFile:
    """The file for the current answers and weighting: ready, being prepared, or started now.

    A failed or lost one (still "being prepared" after STALE_AFTER) is started again.
    Error messages are written in `ui_language` (default: the active language).
    """
    if kind not in KINDS or (by is not None and by not in BREAKDOWNS):
        raise ValueError(f"unknown export {kind!r} by {by!r}")
    fields: dict[str, Any] = {
        "wave": wave,
        "kind": kind,
        "language": language,
        "revision": current_revision(wave),
        "settings_key": settings_key(wave, kind, by),
    }
    try:
        with transaction.atomic():
            export, created = ExportFile.objects.get_or_create(**fields)
    except IntegrityError:  # a second request created it at the same moment
        export, created = ExportFile.objects.get(**fields), False
    if not created:
        if export.status == ExportFile.Status.READY and export_path(export) is not None:
            return export
        lost = timezone.now() - export.created > STALE_AFTER
        if export.status == ExportFile.Status.PENDING and not lost:
            return export
        # Start again, unless another request just did (the update matches one of us only).
        restarted = ExportFile.objects.filter(
            pk=export.pk, status=export.status, created=export.created
        ).update(status=ExportFile.Status.PENDING, error="", path="", created=timezone.now())
        if not restarted:
            export.refresh_from_db()
            return export
    run_in_background(make_export, export.pk, ui_language or get_language() or "de")
    export.refresh_from_db()
    return export


def make_export(export_pk: int, ui_language: str) -> None:
    """Make the file of one ExportFile; record READY or FAILED (never raises)."""
    export = ExportFile.objects.select_related("wave").filter(pk=export_pk).first()
    if export is None:
        return
    wave = export.wave
    folder = Path(settings.MEDIA_ROOT) / "exports" / str(wave.pk)
    key = export.settings_key.replace(":", "-").replace("=", "-")
    name = f"{export.kind}-{export.language}-r{export.revision}-{key}.{EXTENSIONS[export.kind]}"
    target = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    with translation.override(ui_language):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_export(
                wave,
                export.kind,
                partial,
                language=export.language,
                by=export_breakdown(export),
            )
            os.replace(partial, target)
        except (WeightingError, AnalysisError, ExportError) as exc:
            _failed(export, _("The file could not be made: %(reason)s") % {"reason": exc})
            partial.unlink(missing_ok=True)
            return
        except Exception:
            logger.exception("export %s of wave %s failed", export.kind, wave.pk)
            _failed(
                export,
                _(
                    "The file could not be made because of an unexpected error. Please try "
                    "again later; if it happens again, tell the platform's administrators."
                ),
            )
            partial.unlink(missing_ok=True)
            return
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.READY, path=str(target.relative_to(settings.MEDIA_ROOT)), error=""
    )
    delete_older(export)


def _failed(export: ExportFile, message: str) -> None:
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.FAILED, error=message, path=""
    )


def delete_older(export: ExportFile) -> None:
    """Files of the same kind and language made from earlier answers or another weighting are
    out of date once this one is ready (tables with another breakdown stay)."""
    others = ExportFile.objects.filter(
        wave=export.wave_id, kind=export.kind, language=export.language
    ).exclude(pk=export.pk)
    weighting = weighting_key(export)
    stale = [
        old
        for old in others.exclude(status=ExportFile.Status.PENDING)
        if old.revision < export.revision or weighting_key(old) != weighting
    ]
    for old in stale:
        path = export_path(old)
        if path is not None:
            path.unlink(missing_ok=True)
    ExportFile.objects.filter(pk__in=[old.pk for old in stale]).delete()


def weighting_key(export: ExportFile) -> str:
    return export.settings_key.partition(":by=")[0]


def current_exports(wave: Wave, kinds: Iterable[str] = KINDS) -> list[ExportFile]:
    """The wave's files for the current answers and weighting, newest first."""
    return list(
        ExportFile.objects.filter(
            wave=wave,
            kind__in=list(kinds),
            revision=current_revision(wave),
            settings_key__startswith=Settings.for_wave(wave).key(),
        ).order_by("-created", "-pk")
    )
