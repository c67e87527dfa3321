"""Changing a wave's weighting: a change is kept only if the sample can be weighted with it.

Used by the weighting page; the margins in use can be written back as the CSV that
`margins.parse_margins_csv` reads, so a city can start from them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction

from ..fieldwork.models import Wave
from .data import load_wave_data
from .margins import (
    DEFAULT_MARGINS,
    REGISTER_VARIABLES,
    Settings,
    WaveDesign,
    register_margin,
    wave_design,
)
from .models import WeightingScheme


def change_weighting(wave: Wave, **changes: Any) -> WaveDesign:
    """Store `changes` (margins, trim, …) and weight the sample with them. If that fails, the
    WeightingError goes to the caller and the previous settings stay (the transaction is
    rolled back)."""
    with transaction.atomic():
        scheme = WeightingScheme.objects.filter(wave=wave).first() or WeightingScheme(wave=wave)
        for key, value in changes.items():
            setattr(scheme, key, value)
        scheme.save()
        return wave_design(wave)


def reset_weighting(wave: Wave) -> WaveDesign:
    """Back to gender × age group and district, no trimming (if the sample can be weighted)."""
    return change_weighting(wave, margins=list(DEFAULT_MARGINS), trim=None)


def margins_in_use(wave: Wave) -> list[dict[str, Any]]:
    """Each margin with its categories' population: given figures, or the districts' figures
    for the register-based variables. {"variable", "register": bool, "population": {…}}."""
    settings = Settings.for_wave(wave)
    data = None
    margins = []
    for spec in settings.margins:
        variable = spec["variable"]
        population = spec.get("population")
        # The district margin always comes from the districts' figures (as in weighting).
        register = variable == "district" or (not population and variable in REGISTER_VARIABLES)
        if register:
            data = data or load_wave_data(wave)
            population = register_margin(data, variable)
        margins.append(
            {
                "variable": variable,
                "register": register,
                "population": dict(sorted((population or {}).items())),
            }
        )
    return margins


def margins_csv(wave: Wave) -> str:
    """The margins in use as `variable;category;population` (what the upload reads)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["variable", "category", "population"])
    for margin in margins_in_use(wave):
        for category, total in margin["population"].items():
            number = float(total)
            writer.writerow(
                [margin["variable"], category, f"{number:.0f}" if number.is_integer() else number]
            )
    return out.getvalue()
