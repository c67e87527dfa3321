"""`defus analysis indices WAVE [--by VAR]`: each index of the questionnaire – its mean with
95 % confidence interval and Cronbach's alpha."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from defus.fieldwork.models import Wave

from ..margins import wave_design
from ..results import AnalysisError, estimate_item, index_alpha
from ..weighting import WeightingError


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "indices",
        help="indices (e.g. the feeling-of-safety index): mean, 95 %% CI, Cronbach's alpha",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument("--by", help="breakdown: district, gender, age_group or an item")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    try:
        design = wave_design(wave)
        out = []
        for index in wave.instrument.indices:
            rows = estimate_item(design, index.code, by=options.get("by"))
            out.append(
                {
                    "index": index.code,
                    "label": index.label,
                    "items": list(index.items),
                    "cronbach_alpha": index_alpha(design, index.code),
                    "rows": [row.as_json() for row in rows],
                }
            )
    except (AnalysisError, WeightingError) as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
