"""Findings: what the audit found (survey, walks, workshops, recorded crime, other).

The form to add one can start from a source: a figure of the survey (wave, indicator and
group; the text is prefilled with the figure and its confidence interval), a stop or issue of
a walk, a workshop finding, or a row of recorded crime. Those are GET forms that reload the
page with the text prefilled – no JavaScript needed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from defus.analysis.results import AnalysisError
from defus.analysis.weighting import WeightingError
from defus.fieldwork.models import Wave
from defus.walks.models import Stop, StopIssue, WorkshopFinding

from ..forms import FindingForm
from ..models import CrimeFigure, Finding
from ..services import (
    crime_finding_text,
    group_choices,
    issue_finding_text,
    split_group,
    stop_finding_text,
    survey_finding_text,
    wave_figures,
    waves_with_answers,
    workshop_finding_text,
)
from .base import StrategyMixin


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class FindingListView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        findings = Finding.objects.filter(organisation=self.organisation).select_related(
            "wave", "walk", "stop", "workshop"
        )
        source = request.GET.get("source", "")
        if source in Finding.Source.values:
            findings = findings.filter(source=source)
        context = {
            **self.base_context("findings"),
            "findings": findings.prefetch_related("priorities"),
            "sources": Finding.Source.choices,
            "source": source,
        }
        return render(request, "strategy/findings.html", context)


class FindingFormMixin(StrategyMixin):
    permission = "strategy.manage"
    template_name = "strategy/finding_form.html"

    def render_form(self, form: FindingForm, **extra: Any) -> HttpResponse:
        context = {
            **self.base_context("findings"),
            "form": form,
            "crime_url": reverse("strategy:crime", kwargs={"org": self.organisation.slug}),
            **extra,
        }
        return render(self.request, self.template_name, context)

    def saved(self, finding: Finding, created: bool) -> HttpResponse:
        messages.success(
            self.request, _("The finding was added.") if created else _("The finding was saved.")
        )
        return HttpResponseRedirect(
            reverse("strategy:findings", kwargs={"org": self.organisation.slug})
        )


class FindingCreateView(FindingFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial, problem = self.prefill(request.GET)
        form = FindingForm(initial=initial, organisation=self.organisation)
        return self.render_form(form, prefill_problem=problem, **self.source_choices(request))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FindingForm(request.POST, organisation=self.organisation)
        if form.is_valid():
            return self.saved(form.save(), True)
        return self.render_form(form, **self.source_choices(request))

    def source_choices(self, request: HttpRequest) -> dict[str, Any]:
        """The choices of the "start from" forms (the survey's for the chosen wave)."""
        waves = waves_with_answers(self.organisation)
        chosen = next((w for w in waves if w.slug == request.GET.get("wave")), None)
        wave = chosen or (waves[0] if waves else None)
        return {
            "survey_waves": waves,
            "survey_wave": wave,
            "survey_figures": wave_figures(wave, self.language) if wave else [],
            "survey_groups": group_choices(wave),
            "survey_figure": request.GET.get("figure", ""),
            "survey_group": request.GET.get("who", ""),
            "issues": StopIssue.objects.filter(stop__walk__organisation=self.organisation)
            .select_related("stop__walk")
            .order_by("-stop__walk__date", "stop__position", "pk"),
            "stops": Stop.objects.filter(walk__organisation=self.organisation)
            .select_related("walk")
            .order_by("-walk__date", "position"),
            "workshop_findings": WorkshopFinding.objects.filter(
                workshop__organisation=self.organisation
            ).select_related("workshop"),
        }

    def prefill(self, query: Any) -> tuple[dict[str, Any], str]:
        """The form's initial values from the chosen source, and a problem to show, if any."""
        organisation = self.organisation
        if query.get("from") == "survey":
            wave = Wave.objects.filter(organisation=organisation, slug=query.get("wave")).first()
            if wave is None:
                return {"source": Finding.Source.SURVEY}, _("Choose a survey wave.")
            figure = next(
                (f for f in wave_figures(wave, self.language) if f.code == query.get("figure")),
                None,
            )
            if figure is None:
                return {"source": Finding.Source.SURVEY, "wave": wave}, _("Choose an indicator.")
            by, group = split_group(query.get("who", ""))
            try:
                text = survey_finding_text(wave, figure, by, group, self.language)
            except (WeightingError, AnalysisError) as error:
                return {"source": Finding.Source.SURVEY, "wave": wave}, str(error)
            return {"source": Finding.Source.SURVEY, "wave": wave, "text": text}, ""
        issue_pk, stop_pk = _pk(query.get("issue")), _pk(query.get("stop"))
        if query.get("from") == "walk" and issue_pk:
            issue = (
                StopIssue.objects.filter(stop__walk__organisation=organisation, pk=issue_pk)
                .select_related("stop__walk")
                .first()
            )
            if issue is not None:
                return {
                    "source": Finding.Source.WALK,
                    "stop": issue.stop,
                    "text": issue_finding_text(issue),
                }, ""
        if query.get("from") == "walk" and stop_pk:
            stop = (
                Stop.objects.filter(walk__organisation=organisation, pk=stop_pk)
                .select_related("walk")
                .first()
            )
            if stop is not None:
                return {
                    "source": Finding.Source.WALK,
                    "stop": stop,
                    "text": stop_finding_text(stop),
                }, ""
        if query.get("from") == "walk":
            return {"source": Finding.Source.WALK}, _("Choose a stop or an issue of a walk.")
        if query.get("from") == "workshop":
            finding = (
                WorkshopFinding.objects.filter(
                    workshop__organisation=organisation, pk=_pk(query.get("workshop_finding")) or 0
                )
                .select_related("workshop")
                .first()
            )
            if finding is None:
                return {"source": Finding.Source.WORKSHOP}, _("Choose a finding of a workshop.")
            return {
                "source": Finding.Source.WORKSHOP,
                "workshop_finding": finding,
                "text": workshop_finding_text(finding),
            }, ""
        crime = CrimeFigure.objects.filter(
            organisation=organisation, pk=_pk(query.get("crime")) or 0
        ).first()
        if crime is not None:
            return {"source": Finding.Source.CRIME, "text": crime_finding_text(crime)}, ""
        source = query.get("source", "")
        return ({"source": source} if source in Finding.Source.values else {}), ""


class FindingEditView(FindingFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        form = FindingForm(instance=finding, organisation=self.organisation)
        return self.render_form(form, finding=finding)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        form = FindingForm(request.POST, instance=finding, organisation=self.organisation)
        if form.is_valid():
            return self.saved(form.save(), False)
        return self.render_form(form, finding=finding)


class FindingDeleteView(StrategyMixin, View):
    permission = "strategy.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        context = {
            **self.base_context("findings"),
            "what": _("the finding “%(text)s”") % {"text": str(finding)},
            "cancel": reverse("strategy:findings", kwargs={"org": self.organisation.slug}),
        }
        return render(request, "strategy/confirm_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_finding().delete()
        messages.success(request, _("The finding was deleted."))
        return HttpResponseRedirect(
            reverse("strategy:findings", kwargs={"org": self.organisation.slug})
        )


urlpatterns: list[URLPattern] = [
    path("findings/", FindingListView.as_view(), name="findings"),
    path("findings/new/", FindingCreateView.as_view(), name="finding_create"),
    path("findings/<int:strategy_finding>/edit/", FindingEditView.as_view(), name="finding_edit"),
    path(
        "findings/<int:strategy_finding>/delete/",
        FindingDeleteView.as_view(),
        name="finding_delete",
    ),
]
