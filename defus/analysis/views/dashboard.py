"""Analysis views: the results dashboard of a wave, its JSON API and the opt-in to compare
results with other cities. What the dashboard shows is decided in analysis/dashboard.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from defus.organisations.permissions import has_permission

from ..dashboard import FILTERED_SECTIONS, SECTIONS, Dashboard
from ..margins import wave_design
from ..results import AnalysisError, base_statement, estimate_items, estimates_as_json
from ..weighting import WeightingError
from .base import WaveAnalysisMixin

MAX_API_ITEMS = 200


class DashboardView(WaveAnalysisMixin, View):
    template_name = "analysis/dashboard.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dashboard = Dashboard(self.wave, get_language() or "de")
        filters = dashboard.filters(request.GET)
        part = request.GET.get("part")
        if request.headers.get("HX-Request") and part in FILTERED_SECTIONS:
            response = HttpResponse(dashboard.section(part, filters))
        else:
            may = self.permissions()
            context = {
                "organisation": self.organisation,
                "wave": self.wave,
                "filters": filters,
                "sections": {name: dashboard.section(name, filters) for name in SECTIONS},
                "status": dashboard.status(),
                "choices": dashboard.filter_choices(),
                "compare_results": self.organisation.compare_results,
                **may,
            }
            response = render(request, self.template_name, context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def permissions(self) -> dict[str, bool]:
        """What the wave navigation (fieldwork/_wave_nav.html) and the page offer."""

        def may(permission: str) -> bool:
            return has_permission(self.request.user, self.organisation, permission)

        return {
            "can_view_wave": may("wave.view"),
            "can_manage": may("wave.manage"),
            "can_sample": may("sample.manage"),
            "can_manage_people": may("organisation.manage_people"),
        }


class EstimatesApiView(WaveAnalysisMixin, View):
    """GET items=A1,A4 [by=] [share=1,2] [base=sample|open_link] [unweighted=1]: the rows of
    results.estimates_as_json; the base statement in the X-Defus-Base header (percent-encoded
    UTF-8), errors as {"error": message} with status 400."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.GET
        items = [code.strip() for code in query.get("items", "").split(",") if code.strip()]
        if not items:
            return self.error(_("Name the items, e.g. items=A1,A4."))
        if len(items) > MAX_API_ITEMS:
            return self.error(_("At most %(n)d items at once.") % {"n": MAX_API_ITEMS})
        share = None
        if query.get("share"):
            try:
                share = [int(code) for code in query["share"].split(",") if code.strip()]
            except ValueError:
                return self.error(_("share takes answer codes separated by commas, e.g. 1,2."))
        base = query.get("base", "sample")
        if base not in ("sample", "open_link"):
            return self.error(_("base is either sample or open_link."))
        unweighted = query.get("unweighted", "")
        if unweighted not in ("", "0", "1"):
            return self.error(_("unweighted is 1 or 0."))
        try:
            design = wave_design(self.wave, base=base, weighted=unweighted != "1")
            rows = estimate_items(
                design, items, by=query.get("by") or None, share=share, language=get_language()
            )
        except (AnalysisError, WeightingError) as exc:
            return self.error(str(exc))
        response = JsonResponse(estimates_as_json(rows), safe=False)
        response["X-Defus-Base"] = quote(base_statement(design), safe=" ,.;:()")
        return response

    def error(self, message: str) -> JsonResponse:
        return JsonResponse({"error": message}, status=400)


class CompareSettingView(WaveAnalysisMixin, View):
    """Switch Organisation.compare_results from the dashboard (there is no other place)."""

    permission = "organisation.manage_people"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation = self.organisation
        wanted = request.POST.get("compare_results") == "1"
        if organisation.compare_results != wanted:
            organisation.compare_results = wanted
            organisation.save(update_fields=["compare_results"])
        messages.success(
            request,
            _("Your key indicators are now compared with other cities that agreed.")
            if wanted
            else _("Your results are no longer compared with other cities."),
        )
        url = reverse(
            "analysis:dashboard", kwargs={"org": organisation.slug, "wave": self.wave.slug}
        )
        return HttpResponseRedirect(url + "#cities-heading")


urlpatterns: list[URLPattern] = [
    path("<slug:wave>/", DashboardView.as_view(), name="dashboard"),
    path("<slug:wave>/estimates.json", EstimatesApiView.as_view(), name="estimates_api"),
    path("<slug:wave>/compare/", CompareSettingView.as_view(), name="compare_setting"),
]
