"""`defus analysis compare`: two groups of a wave, or a wave with an earlier one, with a test.

defus analysis compare WAVE --item A1 --share 1,2 --by gender --groups female,male
defus analysis compare WAVE --item A1 --share 1,2 --with musterstadt-2024 [--by district]
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from defus.fieldwork.models import Wave

from ..data import previous_wave
from ..margins import wave_design
from ..results import AnalysisError, estimate_item, group_difference, wave_difference
from ..weighting import WeightingError
from .options import answer_codes


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "compare",
        help="difference between two groups, or between this wave and an earlier one",
        description="A share (--share) or mean of one item compared between two groups of the "
        "wave (--by, --groups) or with an earlier wave of the same questionnaire (--with; "
        "default: the organisation's previous wave), with standard error, 95 % confidence "
        "interval and the p-value of a design-based z test. Hidden groups stay hidden.",
    )
    parser.add_argument("wave", help="the wave's short name")
    parser.add_argument("--item", required=True, help="item or index code, e.g. A1")
    parser.add_argument("--share", help="answer codes counted for a share, e.g. 1,2")
    parser.add_argument("--by", help="district, gender, age_group or an item")
    parser.add_argument("--groups", help="the two groups to compare, e.g. female,male")
    parser.add_argument(
        "--with",
        dest="other",
        nargs="?",
        const="",
        help="an earlier wave (default: the previous wave of the same questionnaire)",
    )


def handle(command: BaseCommand, wave: Wave, options: dict[str, Any]) -> None:
    share = answer_codes(options.get("share"))
    try:
        if options.get("other") is not None:
            out = _between_waves(wave, options, share)
        else:
            out = _between_groups(wave, options, share)
    except (AnalysisError, WeightingError) as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))


def _between_groups(wave: Wave, options: dict[str, Any], share: list[int] | None) -> Any:
    by, groups = options.get("by"), options.get("groups")
    if not by or not groups or len(groups.split(",")) != 2:
        raise CommandError(_("Give --by and two --groups (e.g. --by gender --groups female,male)."))
    first, second = (g.strip() for g in groups.split(","))
    design = wave_design(wave)
    if by not in ("district", "gender", "age_group"):
        try:
            first_value: str | int = int(first)
            second_value: str | int = int(second)
        except ValueError:
            raise CommandError(_("Groups of an item are its answer codes, e.g. 1,2.")) from None
    else:
        first_value, second_value = first, second
    result = group_difference(
        design, options["item"], by=by, first=first_value, second=second_value, share=share
    )
    return {"item": options["item"], "codes": share, "by": by, "groups": [first, second], **result}


def _between_waves(wave: Wave, options: dict[str, Any], share: list[int] | None) -> Any:
    if options["other"]:
        other = Wave.objects.filter(slug=options["other"], organisation=wave.organisation).first()
        if other is None:
            raise CommandError(
                _("%(organisation)s has no wave with the short name %(slug)s.")
                % {"organisation": wave.organisation, "slug": options["other"]}
            )
    else:
        other = previous_wave(wave)
        if other is None:
            raise CommandError(_("There is no earlier wave of the same questionnaire."))
    if other.instrument_key != wave.instrument_key:
        raise CommandError(_("The waves use different questionnaires and cannot be compared."))
    item = wave.instrument.item_index.get(options["item"])
    earlier_item = other.instrument.item_index.get(options["item"])
    if item is not None and (
        earlier_item is None or not (item.comparable and earlier_item.comparable)
    ):
        raise CommandError(
            _("%(item)s is not asked the same way in both waves.") % {"item": options["item"]}
        )
    by = options.get("by")
    now = estimate_item(wave_design(wave), options["item"], by=by, share=share)
    before = estimate_item(wave_design(other), options["item"], by=by, share=share)
    earlier = {(r.statistic, tuple(r.codes or ()), r.by, r.group): r for r in before}
    rows = []
    for row in now:
        match = earlier.get((row.statistic, tuple(row.codes or ()), row.by, row.group))
        if match is None:
            continue
        rows.append(
            {
                "item": row.item,
                "statistic": row.statistic,
                "codes": row.codes,
                "by": row.by,
                "group": row.group,
                "now": row.as_json()["estimate"],
                "before": match.as_json()["estimate"],
                **wave_difference(row, match),
            }
        )
    return {"wave": wave.slug, "earlier": other.slug, "rows": rows}
