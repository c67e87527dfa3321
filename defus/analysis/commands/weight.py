"""`defus analysis weight WAVE [--margins FILE] [--trim X]`: set and show a wave's weighting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from defus.fieldwork.models import Wave

from ..margins import DEFAULT_MARGINS, parse_margins_csv, wave_design
from ..scheme import change_weighting
from ..weighting import WeightingError


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "weight",
        help="weight the random sample (design weights, raking) and show the diagnostics",
        description="Weight a wave's random sample: design weights from the sample sizes per "
        "district, raked to gender × age group and district (or the margins of a file). Prints "
        "weight range, design effect and effective sample size.",
    )
    parser.add_argument("wave", help="the wave's short name, e.g. musterstadt-2026")
    parser.add_argument(
        "--margins",
        help="CSV with columns variable;category;population – stored as the wave's margins",
    )
    parser.add_argument(
        "--default-margins", action="store_true", help="go back to gender × age group and district"
    )
    parser.add_argument("--trim", type=float, help="cap weights at this multiple of the median")
    parser.add_argument("--no-trim", action="store_true", help="no trimming")
    parser.add_argument("--tolerance", type=float, help="convergence tolerance (default 1e-10)")
    parser.add_argument("--max-iterations", type=int, help="iteration limit (default 100)")
    parser.add_argument("--json", action="store_true", help="diagnostics as JSON")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    changes: dict[str, Any] = {}
    if options.get("margins"):
        path = Path(options["margins"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        try:
            changes["margins"] = parse_margins_csv(path.read_bytes())
        except WeightingError as exc:
            raise CommandError(str(exc)) from exc
    if options.get("default_margins"):
        changes["margins"] = list(DEFAULT_MARGINS)
    if options.get("trim") is not None:
        if options["trim"] <= 1:
            raise CommandError(_("--trim must be larger than 1 (a multiple of the median)."))
        changes["trim"] = options["trim"]
    if options.get("no_trim"):
        changes["trim"] = None
    if options.get("tolerance") is not None:
        changes["tolerance"] = options["tolerance"]
    if options.get("max_iterations") is not None:
        changes["max_iterations"] = options["max_iterations"]
    try:
        # A change is stored only if the sample can be weighted with it.
        design = change_weighting(wave, **changes) if changes else wave_design(wave)
    except WeightingError as exc:
        raise CommandError(str(exc)) from exc
    info = design.diagnostics()
    if options.get("json"):
        command.stdout.write(json.dumps(info, indent=2, ensure_ascii=False))
        return
    lines = [
        _("Weighted: %(n)d answers of the random sample (population %(population)s).")
        % {"n": info["n"], "population": number_format(info["population"], 0, force_grouping=True)},
        _("Margins: %(margins)s; %(iterations)d iterations, %(state)s.")
        % {
            "margins": ", ".join(info["margins"]),
            "iterations": info["iterations"],
            "state": _("converged") if info["converged"] else _("not converged"),
        },
        _("Weights (relative to the mean): %(low).3f to %(high).3f, ratio %(ratio).1f.")
        % {"low": info["weight_min"], "high": info["weight_max"], "ratio": info["weight_ratio"]},
        _("Design effect (Kish): %(deff).3f; effective sample size: %(neff).0f.")
        % {"deff": info["design_effect"], "neff": info["effective_n"]},
    ]
    if info["excluded"]:
        lines.append(
            _("%(n)d answers without a sampling district are not in the weighted base.")
            % {"n": info["excluded"]}
        )
    lines.extend(info["notes"])
    command.stdout.write("\n".join(lines))
