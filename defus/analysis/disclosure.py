"""Disclosure control: no figure based on fewer than the minimum of respondents.

Primary suppression: a row whose base has fewer than `minimum` unweighted respondents (but
at least one) is hidden. Secondary suppression: the groups of one breakdown form a table row
with its total (the overall figure is always shown somewhere); if exactly one group of that
row is hidden, the total and the other groups would give it away, so the smallest other group
is hidden too. Groups without any respondent reveal nothing and do not count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .results import Estimate


def suppress(rows: Sequence[Estimate], minimum: int) -> list[Estimate]:
    for row in rows:
        if row.n < minimum:
            row.suppressed = True
    families: dict[Any, list[Estimate]] = defaultdict(list)
    for row in rows:
        if row.by is not None:
            families[row.family].append(row)
    for members in families.values():
        hidden = [row for row in members if row.suppressed and row.n > 0]
        if len(hidden) == 1:
            shown = [row for row in members if not row.suppressed]
            if shown:
                min(shown, key=lambda row: row.n).suppressed = True
    return list(rows)
