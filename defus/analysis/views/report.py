"""Analysis views: the wave report as a web page and as a PDF, in the page's language."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View

from defus.core.background import run_in_background
from defus.fieldwork.models import Wave

from ..margins import wave_design
from ..report import check_language, report_html, report_pdf, report_pdf_path
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
    """The PDF, made in the background the first time for each answers revision (it takes some
    seconds); meanwhile the page says so and offers the link again."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        try:
            wave_design(self.wave)  # a wave that cannot be weighted gets its reason at once
        except WeightingError as error:
            return self.problem(error)
        path = report_pdf_path(self.wave, self.language)
        if not path.is_file():
            job = f"analysis:report-pdf:{path.name}"
            if cache.add(job, "running", JOB_SECONDS):
                run_in_background(make_report_pdf, self.wave.pk, self.language, job)
            if not path.is_file():
                context = {
                    "organisation": self.organisation,
                    "wave": self.wave,
                    "failed": cache.get(job) == "failed",
                }
                return render(request, "analysis/report_pending.html", context, status=202)
        return FileResponse(
            path.open("rb"),
            content_type="application/pdf",
            filename=f"{self.wave.slug}-report-{self.language}.pdf",
        )


JOB_SECONDS = 15 * 60  # a job that died with its process is started again after this


def make_report_pdf(wave_pk: int, language: str, job: str) -> None:
    """The background job: write the PDF; on failure mark the job so the page says so."""
    try:
        report_pdf(Wave.objects.get(pk=wave_pk), language)
    except Exception:
        cache.set(job, "failed", 60)  # a new request after a minute tries again
        raise
    cache.delete(job)


urlpatterns: list[URLPattern] = [
    path("<slug:wave>/report/", ReportView.as_view(), name="report"),
    path("<slug:wave>/report.pdf", ReportPdfView.as_view(), name="report_pdf"),
]
