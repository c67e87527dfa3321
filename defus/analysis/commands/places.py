"""`defus analysis places WAVE`: the named places of the open answers, ranked by the weighted
share of residents naming them; places named by fewer than the minimum are hidden."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from defus.fieldwork.models import Wave

from ..margins import wave_design
from ..results import AnalysisError, unsafe_places
from ..weighting import WeightingError


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "places",
        help="unsafe places named in the open answers, ranked by weighted share",
    )
    parser.add_argument("wave", help="the wave's short name")


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    try:
        ranked, uncoded = unsafe_places(wave_design(wave), list(wave.places.all()))
    except (AnalysisError, WeightingError) as exc:
        raise CommandError(str(exc)) from exc
    out = {
        "places": [
            {
                "code": p.code,
                "name": p.name,
                "share": p.share,
                "se": p.se,
                "mentions": None if p.suppressed else p.mentions,
                "suppressed": p.suppressed,
            }
            for p in ranked
        ],
        "answers_naming_no_known_place": uncoded,
    }
    command.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
