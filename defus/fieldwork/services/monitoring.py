"""Field monitoring: how many have answered, where and when — from codes and day counts only.

Response rates come from the access codes (their district and whether they were used), never
from the answers, so they stay correct after the sample's names and addresses are deleted and
they cannot reveal who answered what. Returns per day come from `Response.completed_on`
(questionnaires completed, by mode and source); a code never records when it was used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..models import AccessCode, Response, SamplePerson, Wave

MAX_DAYS = 400  # a longer span (e.g. a stray date) is cut to the most recent days


def _rate(used: int, size: int) -> float | None:
    return round(100 * used / size, 1) if size else None


def field_report(wave: Wave) -> dict[str, Any]:
    """Figures of a wave's fieldwork (JSON-friendly apart from dates).

    Keys: sample_size (codes issued), persons (names held; 0 after deletion), codes_used,
    response_rate (percent or None), reminded, sample_deleted_on, districts (list of
    {code, name, sample, used, rate}), responses (total), by_mode {web, paper},
    by_source {sample, open_link}, days (list of {day, web, paper, open_link, total}) and
    max_day_total.
    """
    codes = AccessCode.objects.filter(wave=wave)
    sample_size = codes.count()
    codes_used = codes.filter(used=True).count()

    districts = []
    per_district: dict[int | None, dict[str, int]] = {
        row["district"]: {"sample": row["sample"], "used": row["used"]}
        for row in codes.values("district")
        .annotate(sample=Count("id"), used=Count("id", filter=Q(used=True)))
        .order_by()
    }
    for district in wave.districts.order_by("answer_code"):
        row = per_district.pop(district.pk, {"sample": 0, "used": 0})
        districts.append(
            {
                "code": district.code,
                "name": district.name,
                "sample": row["sample"],
                "used": row["used"],
                "rate": _rate(row["used"], row["sample"]),
            }
        )
    orphan = per_district.pop(None, None)
    if orphan and orphan["sample"]:
        districts.append(
            {
                "code": "",
                "name": _("without district"),
                "sample": orphan["sample"],
                "used": orphan["used"],
                "rate": _rate(orphan["used"], orphan["sample"]),
            }
        )

    responses = Response.objects.filter(wave=wave)
    by_mode = dict.fromkeys(Response.Mode.values, 0)
    by_source = dict.fromkeys(Response.Source.values, 0)
    day_rows: dict[date, dict[str, Any]] = {}

    def day_row(day: date) -> dict[str, Any]:
        return day_rows.setdefault(
            day, {"day": day, "web": 0, "paper": 0, "open_link": 0, "total": 0}
        )

    completed = responses.values_list("completed_on", "mode", "source").annotate(n=Count("id"))
    for completed_on, mode, source, count in completed.order_by():
        by_mode[mode] = by_mode.get(mode, 0) + count
        by_source[source] = by_source.get(source, 0) + count
        entry = day_row(completed_on)
        if source == Response.Source.OPEN_LINK:
            entry["open_link"] += count
        elif mode == Response.Mode.PAPER:
            entry["paper"] += count
        else:
            entry["web"] += count
        entry["total"] += count

    days: list[dict[str, Any]] = []
    if day_rows:
        first, last = min(day_rows), max(day_rows)
        first = max(first, last - timedelta(days=MAX_DAYS - 1))
        day = first
        while day <= last:
            days.append(day_rows.get(day) or day_row(day))
            day += timedelta(days=1)
    max_total = max((d["total"] for d in days), default=0)
    for entry in days:
        entry["share"] = round(100 * entry["total"] / max_total, 1) if max_total else 0.0

    return {
        "wave": wave.slug,
        "title": wave.title,
        "status": wave.status,
        "field_start": wave.field_start,
        "field_end": wave.field_end,
        "sample_size": sample_size,
        "persons": SamplePerson.objects.filter(wave=wave).count(),
        "reminded": SamplePerson.objects.filter(wave=wave, reminded_on__isnull=False).count(),
        "sample_deleted_on": wave.sample_deleted_on,
        "codes_used": codes_used,
        "response_rate": _rate(codes_used, sample_size),
        "districts": districts,
        "responses": sum(by_mode.values()),
        "by_mode": by_mode,
        "by_source": by_source,
        "days": days,
        "max_day_total": max_total,
    }


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def format_field_report(report: dict[str, Any]) -> str:
    """The report as plain text for the command line."""
    lines = [
        f"{report['title']} ({report['wave']}), {report['field_start']} – {report['field_end']}",
        _("Sample: %(size)d codes, %(used)d used (%(rate)s); %(reminded)d reminded")
        % {
            "size": report["sample_size"],
            "used": report["codes_used"],
            "rate": _percent(report["response_rate"]),
            "reminded": report["reminded"],
        },
    ]
    if report["sample_deleted_on"]:
        lines.append(
            _("Names and addresses deleted on %(day)s.") % {"day": report["sample_deleted_on"]}
        )
    lines.append(
        _(
            "Responses: %(total)d (online %(web)d, paper %(paper)d; "
            "sample %(sample)d, open link %(open)d)"
        )
        % {
            "total": report["responses"],
            "web": report["by_mode"].get("web", 0),
            "paper": report["by_mode"].get("paper", 0),
            "sample": report["by_source"].get("sample", 0),
            "open": report["by_source"].get("open_link", 0),
        }
    )
    lines.append("")
    lines.append(_("Response rate by district"))
    width = max([len(d["name"]) for d in report["districts"]] + [8])
    for district in report["districts"]:
        lines.append(
            f"  {district['code']:<6} {district['name']:<{width}} "
            f"{district['used']:>6} / {district['sample']:<6} {_percent(district['rate']):>8}"
        )
    if report["days"]:
        lines.append("")
        lines.append(_("Day         online  paper  open link  total"))
        for day in report["days"]:
            lines.append(
                f"{day['day'].isoformat()}  {day['web']:>6}  "
                f"{day['paper']:>5}  {day['open_link']:>9}  {day['total']:>5}"
            )
    return "\n".join(lines) + "\n"
