"""Analysis views: the wave report as a web page and as a PDF, in the page's language."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View

from ..report import check_language, report_html, report_pdf
from ..weighting import WeightingError
from .base import WaveAnalysisMixin


class ReportMixin(WaveAnalysisMixin):
    request: HttpRequest

    @property
    def language(self) -> str:
        return check_language((get_language() or "de")[:2])

    def problem(self, error: WeightingError) -> HttpResponse:
        """The answers cannot be weighted: say why instead of failing (409: not now)."""
        context = {"organisation": self.organisation, "wave": self.wave, "problem": str(error)}
        return render(self.request, "analysis/report_error.html", context, status=409)


class ReportView(ReportMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            html = report_html(self.wave, self.language)
        except WeightingError as error:
            return self.problem(error)
        context = {
            "organisation": self.organisation,
            "wave": self.wave,
            "body": mark_safe(html),  # rendered by our templates, cached per report key
        }
        return render(request, "analysis/report.html", context)


class ReportPdfView(ReportMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        try:
            pdf = report_pdf(self.wave, self.language)
        except WeightingError as error:
            return self.problem(error)
        return FileResponse(
            pdf.open("rb"),
            content_type="application/pdf",
            filename=f"{self.wave.slug}-report-{self.language}.pdf",
        )


urlpatterns: list[URLPattern] = [
    path("<slug:wave>/report/", ReportView.as_view(), name="report"),
    path("<slug:wave>/report.pdf", ReportPdfView.as_view(), name="report_pdf"),
]
