"""Two waves of the same questionnaire (baseline and a later one) and a strategy built on them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from defus.fieldwork.models import Wave
from defus.strategy.models import Finding, Measure, Priority
from tests.analysis.support import make_analysis_wave


def two_waves(
    organisation: Any, *, per_district: int = 30, small_now: dict[str, int] | None = None
) -> tuple[Wave, Wave]:
    """A baseline wave (2024) and a later one (2026) of the same questionnaire."""
    before = make_analysis_wave(
        organisation,
        slug="alt-2024",
        per_district=per_district,
        seed=3,
        field_start=datetime.date(2024, 3, 1),
    )
    now = make_analysis_wave(
        organisation, slug="neu-2026", per_district=per_district, seed=4, small=small_now
    )
    return before, now


def make_priority(
    organisation: Any,
    wave: Wave,
    *,
    problem: str = "Women avoid the station square at night",
    item: str = "A1",
    share: list[int] | None = None,
    group_by: str = "",
    group: str = "",
    target: float = 60.0,
    label: str = "feel safe walking alone in their neighbourhood after dark",
) -> Priority:
    return Priority.objects.create(
        organisation=organisation,
        problem=problem,
        baseline_wave=wave,
        item=item,
        share=[1, 2] if share is None else share,
        indicator_label=label,
        group_by=group_by,
        group=group,
        target=target,
        place_text="Bahnhofsvorplatz",
    )


def make_measure(priority: Priority, title: str = "Better lighting", **extra: Any) -> Measure:
    values: dict[str, Any] = {
        "department": "Civil engineering office",
        "budget": Decimal("25000"),
        "start": datetime.date(2026, 9, 1),
        "end": datetime.date(2027, 3, 31),
        "status": Measure.Status.RUNNING,
    }
    values.update(extra)
    return Measure.objects.create(priority=priority, title=title, **values)


def make_finding(organisation: Any, text: str = "Dark underpass") -> Finding:
    return Finding.objects.create(organisation=organisation, source="other", text=text)


def page_text(response: Any) -> str:
    """A response's HTML with entities decoded (&#x27; → ')."""
    import html

    return html.unescape(response.content.decode())
