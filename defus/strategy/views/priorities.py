"""Priorities: the list with each indicator baseline → now → target, a priority's page with
its evaluation (evaluation.py), and the form (the baseline wave chosen first, since the
places, groups and indicators offered are those of that wave)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from defus.fieldwork.models import Wave

from ..evaluation import evaluate, evaluation_chart, evaluation_table
from ..forms import PriorityForm
from ..models import Priority
from ..overview import measure_line, place_text, priorities_of
from ..services import waves_with_answers
from .base import StrategyMixin


class PriorityListView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lines = []
        for priority in priorities_of(self.organisation):
            lines.append(
                {
                    "priority": priority,
                    "place": place_text(priority),
                    "figure": evaluation_table(evaluate(priority, self.language), self.language),
                    "measures": [measure_line(m, self.language) for m in priority.measures.all()],
                }
            )
        context = {
            **self.base_context("priorities"),
            "lines": lines,
            "has_waves": Wave.objects.filter(organisation=self.organisation).exists(),
        }
        return render(request, "strategy/priorities.html", context)


class PriorityDetailView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        priority = self.get_priority()
        evaluation = evaluate(priority, self.language)
        spec = evaluation_chart(evaluation, self.language)
        context = {
            **self.base_context("priorities"),
            "priority": priority,
            "place": place_text(priority),
            "evaluation": evaluation,
            "figure": evaluation_table(evaluation, self.language),
            "chart": {
                "id": "chart-evaluation",
                "spec_id": "chart-evaluation-spec",
                "spec": spec,
                "description": spec["description"],
            }
            if spec
            else None,
            "measures": [
                {**measure_line(m, self.language), "documents": list(m.documents.all())}
                for m in priority.measures.all()
            ],
            "findings": priority.findings.all(),
        }
        return render(request, "strategy/priority_detail.html", context)


class PriorityFormMixin(StrategyMixin):
    permission = "strategy.manage"

    def chosen_wave(self, priority: Priority | None) -> Wave | None:
        """The baseline wave: the one asked for (?wave=), the priority's, or the latest with
        answers."""
        waves = Wave.objects.filter(organisation=self.organisation)
        asked = self.request.GET.get("wave") or self.request.POST.get("baseline_wave")
        if asked:
            wave = waves.filter(slug=asked).first()
            if wave is not None:
                return wave
        if priority is not None:
            return priority.baseline_wave
        answered = waves_with_answers(self.organisation)
        return answered[0] if answered else waves.order_by("-field_start").first()

    def render_form(
        self, form: PriorityForm | None, wave: Wave | None, priority: Priority | None
    ) -> HttpResponse:
        context = {
            **self.base_context("priorities"),
            "form": form,
            "wave": wave,
            "waves": Wave.objects.filter(organisation=self.organisation).order_by("-field_start"),
            "priority": priority,
        }
        return render(self.request, "strategy/priority_form.html", context)

    def handle_form(self, priority: Priority | None) -> HttpResponse:
        wave = self.chosen_wave(priority)
        if wave is None:
            return self.render_form(None, None, priority)
        options: dict[str, Any] = {
            "organisation": self.organisation,
            "wave": wave,
            "language": self.language,
            "instance": priority,
        }
        if self.request.method != "POST":
            return self.render_form(PriorityForm(**options), wave, priority)
        form = PriorityForm(self.request.POST, **options)
        if not form.is_valid():
            return self.render_form(form, wave, priority)
        saved = form.save()
        messages.success(
            self.request,
            _("The priority was saved.") if priority else _("The priority was added."),
        )
        return HttpResponseRedirect(
            reverse(
                "strategy:priority_detail",
                kwargs={"org": self.organisation.slug, "priority": saved.pk},
            )
        )


class PriorityCreateView(PriorityFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle_form(None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle_form(None)


class PriorityEditView(PriorityFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle_form(self.get_priority())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle_form(self.get_priority())


class PriorityDeleteView(StrategyMixin, View):
    permission = "strategy.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        priority = self.get_priority()
        context = {
            **self.base_context("priorities"),
            "what": _("the priority “%(problem)s” with its %(count)d measures")
            % {"problem": priority.problem, "count": priority.measures.count()},
            "cancel": reverse(
                "strategy:priority_detail",
                kwargs={"org": self.organisation.slug, "priority": priority.pk},
            ),
        }
        return render(request, "strategy/confirm_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_priority().delete()
        messages.success(request, _("The priority was deleted."))
        return HttpResponseRedirect(
            reverse("strategy:priority_list", kwargs={"org": self.organisation.slug})
        )


urlpatterns: list[URLPattern] = [
    path("", PriorityListView.as_view(), name="priority_list"),
    path("priorities/new/", PriorityCreateView.as_view(), name="priority_create"),
    path("priorities/<int:priority>/", PriorityDetailView.as_view(), name="priority_detail"),
    path("priorities/<int:priority>/edit/", PriorityEditView.as_view(), name="priority_edit"),
    path("priorities/<int:priority>/delete/", PriorityDeleteView.as_view(), name="priority_delete"),
]
