"""Repeat walks compared with the first walk of the same route, stop by stop.

A repeat walk (`Walk.repeat_of`) goes the same route at another time or with another group.
Its stops are matched with the first walk's stops: by the nearest coordinates within
MATCH_METRES where both stops have coordinates (a stop planned again on the map rarely lands
on exactly the same point), otherwise by their position in the route. Stops without a partner
are kept (only one side filled), so that a place left out of the repeat stays visible.

For every pair: each checklist criterion's score on the first walk and on the repeat and the
change (repeat − first; None where either was not assessed), the mean checklist scores and the
participants' feeling. `compare_walks` is the API the report and the strategy app's
evaluation use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .models import CHECKLIST_KEYS, Stop, Walk

MATCH_METRES = 50.0
EARTH_RADIUS_METRES = 6_371_000.0


@dataclass
class CriterionChange:
    key: str  # a key of models.CHECKLIST
    first: int | None  # 0–3, None: not assessed
    repeat: int | None
    change: int | None  # repeat − first, None unless both were assessed


@dataclass
class StopComparison:
    first: Stop | None  # None: a stop only the repeat walk made
    repeat: Stop | None  # None: a stop of the first walk the repeat left out
    matched_by: str  # "distance", "position" or "" (no partner)
    distance: float | None  # metres between the two stops, where both have coordinates
    criteria: list[CriterionChange] = field(default_factory=list)
    first_mean: float | None = None
    repeat_mean: float | None = None
    first_feeling: int | None = None
    repeat_feeling: int | None = None

    @property
    def mean_change(self) -> float | None:
        if self.first_mean is None or self.repeat_mean is None:
            return None
        return self.repeat_mean - self.first_mean

    @property
    def feeling_change(self) -> int | None:
        if self.first_feeling is None or self.repeat_feeling is None:
            return None
        return self.repeat_feeling - self.first_feeling

    @property
    def name(self) -> str:
        stop = self.repeat or self.first
        return stop.name if stop else ""


def score(stop: Stop | None, key: str) -> int | None:
    """A criterion's score at a stop: 0–3, or None if not assessed (or not a valid score)."""
    if stop is None:
        return None
    value = (stop.checklist or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = int(value)
    return value if 0 <= value <= 3 else None


def mean_score(stop: Stop | None) -> float | None:
    """The mean of the assessed criteria of a stop (None if none was assessed)."""
    scores = [s for key in CHECKLIST_KEYS if (s := score(stop, key)) is not None]
    return sum(scores) / len(scores) if scores else None


def distance_metres(first: Stop, second: Stop) -> float | None:
    """Great-circle distance (haversine) between two stops, None if one lacks coordinates."""
    if None in (first.latitude, first.longitude, second.latitude, second.longitude):
        return None
    assert first.latitude is not None and first.longitude is not None
    assert second.latitude is not None and second.longitude is not None
    lat1, lat2 = math.radians(first.latitude), math.radians(second.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(second.longitude - first.longitude)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def match_stops(
    first: Sequence[Stop], repeat: Sequence[Stop], *, within: float = MATCH_METRES
) -> list[tuple[Stop | None, Stop | None, str, float | None]]:
    """(first stop, repeat stop, how matched, distance) in the order of the repeat walk, then
    the first walk's stops without a partner."""
    # The closest pairs first, so that two near stops do not take each other's partner.
    candidates = sorted(
        (d, i, j)
        for i, a in enumerate(first)
        for j, b in enumerate(repeat)
        if (d := distance_metres(a, b)) is not None and d <= within
    )
    partner: dict[int, tuple[int, str, float | None]] = {}  # repeat index → first index
    taken: set[int] = set()
    for d, i, j in candidates:
        if j not in partner and i not in taken:
            partner[j] = (i, "distance", d)
            taken.add(i)
    # By position where a stop lacks coordinates (stops with coordinates far apart are
    # different places, whatever their position).
    by_position = {stop.position: i for i, stop in enumerate(first)}
    for j, stop in enumerate(repeat):
        same = by_position.get(stop.position)
        if j in partner or same is None or same in taken:
            continue
        if distance_metres(first[same], stop) is None:
            partner[j] = (same, "position", None)
            taken.add(same)
    pairs: list[tuple[Stop | None, Stop | None, str, float | None]] = []
    for j, stop in enumerate(repeat):
        if j in partner:
            i, how, d = partner[j]
            pairs.append((first[i], stop, how, d))
        else:
            pairs.append((None, stop, "", None))
    pairs += [(stop, None, "", None) for i, stop in enumerate(first) if i not in taken]
    return pairs


def compare_stops(
    first: Stop | None, repeat: Stop | None, matched_by: str = "", distance: float | None = None
) -> StopComparison:
    criteria = []
    for key in CHECKLIST_KEYS:
        before, after = score(first, key), score(repeat, key)
        change = after - before if before is not None and after is not None else None
        criteria.append(CriterionChange(key, before, after, change))
    return StopComparison(
        first=first,
        repeat=repeat,
        matched_by=matched_by,
        distance=distance,
        criteria=criteria,
        first_mean=mean_score(first),
        repeat_mean=mean_score(repeat),
        first_feeling=first.feeling if first else None,
        repeat_feeling=repeat.feeling if repeat else None,
    )


def compare_walks(first: Walk, repeat: Walk) -> list[StopComparison]:
    """The repeat walk's stops against the first walk's, per stop and per criterion."""
    first_stops = list(first.stops.order_by("position", "pk"))
    repeat_stops = list(repeat.stops.order_by("position", "pk"))
    return [compare_stops(a, b, how, d) for a, b, how, d in match_stops(first_stops, repeat_stops)]
