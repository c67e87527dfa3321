"""The strategic cycle's plain logic: survey figures, groups, finding texts and documents.

A finding or a priority names a figure of the survey as the dashboard offers it
(analysis.dashboard.figures: the key indicators and indices), for everybody or one group
(gender, age group or district). Every number comes from analysis.results.estimate_item, so
disclosure control and the base rule hold here as everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from defus.analysis.dashboard import Figure, figures
from defus.analysis.formatting import format_row_ci, format_row_n
from defus.analysis.margins import wave_design
from defus.analysis.results import AnalysisError, Estimate, estimate_item, minimum_cell
from defus.fieldwork.models import AGE_GROUPS, GENDERS, Response, Wave
from defus.instrument.definition import standard_instrument
from defus.organisations.models import Organisation
from defus.walks.models import Stop, StopIssue, WorkshopFinding

from .models import CrimeFigure

GROUP_VARIABLES = ("gender", "age_group", "district")
EVERYBODY = ""


def gender_label(value: str) -> str:
    return {"female": _("women"), "male": _("men"), "diverse": _("diverse")}.get(value, value)


# --- figures and groups ----------------------------------------------------------------------


def wave_figures(wave: Wave, language: str) -> list[Figure]:
    """The key indicators and indices of the wave's questionnaire (as the dashboard offers)."""
    try:
        instrument = standard_instrument(wave.instrument_key, wave.instrument_version)
    except LookupError:
        instrument = wave.instrument
    return figures(instrument, language)


def find_figure(wave: Wave, item: str, share: Sequence[int] | None, language: str) -> Figure | None:
    wanted = tuple(int(c) for c in share or ()) or None
    return next(
        (f for f in wave_figures(wave, language) if f.item == item and f.share == wanted), None
    )


def group_choices(wave: Wave | None) -> list[tuple[str, str]]:
    """Who a figure is about: everybody, or one gender, age group or district of the wave.
    Values are "by:group" ("gender:female", "district:02"), everybody is ""."""
    out = [(EVERYBODY, _("everybody"))]
    out += [(f"gender:{g}", f"{_('gender')}: {gender_label(g)}") for g in GENDERS]
    out += [(f"age_group:{a}", f"{_('age group')}: {a}") for a in AGE_GROUPS]
    if wave is not None:
        out += [
            (f"district:{d.code}", f"{_('district')}: {d.name} ({d.code})")
            for d in wave.districts.order_by("answer_code")
        ]
    return out


def split_group(value: str) -> tuple[str, str]:
    """("gender", "female") from "gender:female"; ("", "") for everybody."""
    by, _sep, group = (value or "").partition(":")
    return (by, group) if by in GROUP_VARIABLES and group else ("", "")


def group_label(wave: Wave | None, by: str, group: str) -> str:
    if not by:
        return _("everybody")
    if by == "gender":
        return gender_label(group)
    if by == "district" and wave is not None:
        district = wave.districts.filter(code=group).first()
        return f"{district.name} ({group})" if district else group
    return group


def figure_estimate(
    wave: Wave,
    item: str,
    share: Sequence[int] | None,
    by: str = "",
    group: str = "",
    language: str = "de",
) -> Estimate:
    """The row of results.estimate_item for one figure and group (disclosure control applied
    to the whole breakdown, as on the dashboard). Raises WeightingError or AnalysisError."""
    design = wave_design(wave)
    codes = [int(c) for c in share] if share else None
    rows = estimate_item(design, item, by=by or None, share=codes, language=language)
    statistic = "share" if codes else "mean"
    for row in rows:
        if row.statistic != statistic or row.by != (by or None):
            continue
        if not by or str(row.group) == str(group):
            return row
    raise AnalysisError(
        _("The wave “%(wave)s” has no group %(group)s.") % {"wave": wave.title, "group": group}
    )


def format_figure(row: Estimate, language: str) -> str:
    """ "41 % (95 % CI 38–44 %, n = 780)" – or "not shown" for a suppressed figure."""
    from defus.analysis.formatting import format_estimate

    with translation.override(language):
        if row.suppressed or row.n == 0:
            return _("not shown (fewer than %(n)d respondents)") % {"n": minimum_cell()}
        return _("%(estimate)s (95 %% CI %(ci)s, n = %(n)s)") % {
            "estimate": format_estimate(row, language),
            "ci": format_row_ci(row, language),
            "n": format_row_n(row, language),
        }


def survey_finding_text(wave: Wave, figure: Figure, by: str, group: str, language: str) -> str:
    """The text a finding from the survey starts with, e.g. "Musterstadt 2026 – feel safe
    walking alone in their neighbourhood after dark, women: 41 % (95 % CI 38–44 %, n = 380)"."""
    row = figure_estimate(wave, figure.item, figure.share, by, group, language)
    with translation.override(language):
        who = f", {group_label(wave, by, group)}" if by else ""
        return f"{wave.title} – {figure.label}{who}: {format_figure(row, language)}"


def waves_with_answers(organisation: Organisation) -> list[Wave]:
    return list(
        Wave.objects.filter(organisation=organisation)
        .filter(Exists(Response.objects.filter(wave=OuterRef("pk"))))
        .order_by("-field_start", "-pk")
    )


# --- other sources ---------------------------------------------------------------------------


def stop_finding_text(stop: Stop) -> str:
    walk = stop.walk
    parts = [
        _("Walk “%(walk)s” (%(date)s), stop %(stop)s")
        % {"walk": walk.title, "date": walk.date.isoformat(), "stop": str(stop)}
    ]
    if stop.notes:
        parts.append(stop.notes.strip())
    for issue in stop.issues.all():
        parts.append(issue_summary(issue))
    return "\n".join(parts)


def issue_summary(issue: StopIssue) -> str:
    text = f"{issue.get_category_display()} ({issue.get_severity_display()})"
    if issue.description:
        text += f": {issue.description.strip()}"
    if issue.action:
        text += " – " + _("suggested: %(action)s") % {"action": issue.action.strip()}
    return text


def issue_finding_text(issue: StopIssue) -> str:
    walk = issue.stop.walk
    return (
        _("Walk “%(walk)s” (%(date)s), stop %(stop)s")
        % {"walk": walk.title, "date": walk.date.isoformat(), "stop": str(issue.stop)}
        + "\n"
        + issue_summary(issue)
    )


def workshop_finding_text(finding: WorkshopFinding) -> str:
    workshop = finding.workshop
    return (
        _("Workshop “%(workshop)s” (%(date)s)")
        % {"workshop": workshop.title, "date": workshop.date.isoformat()}
        + "\n"
        + finding.text.strip()
    )


def crime_finding_text(figure: CrimeFigure) -> str:
    """The recorded crime of one cell, with the year before when it was imported too."""
    text = _("Recorded crime, district %(district)s, %(year)d, %(category)s: %(count)d cases") % {
        "district": figure.district,
        "year": figure.year,
        "category": figure.category,
        "count": figure.count,
    }
    before = CrimeFigure.objects.filter(
        organisation_id=figure.organisation_id,
        district=figure.district,
        category=figure.category,
        year=figure.year - 1,
    ).first()
    if before is not None:
        text += " " + _("(%(year)d: %(count)d)") % {"year": before.year, "count": before.count}
    return text
