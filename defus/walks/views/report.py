"""The walk report as a web page and as a PDF, in the page's language (walks.view)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View

from defus.core.background import run_in_background
from defus.organisations.permissions import OrganisationPermissionMixin

from ..models import Walk
from ..report import (
    build_walk_report,
    check_language,
    render_report_body,
    report_pdf,
    report_pdf_path,
)

JOB_SECONDS = 15 * 60  # a job that died with its process is started again after this


class WalkReportMixin(OrganisationPermissionMixin):
    """The walk of the URL, in the URL's organisation (404 for another organisation's walk)."""

    permission = "walks.view"
    kwargs: dict[str, Any]
    request: HttpRequest

    @cached_property
    def walk(self) -> Walk:
        return get_object_or_404(
            Walk.objects.select_related("district__wave", "organisation"),
            organisation=self.organisation,
            pk=self.kwargs["walk"],
        )

    @property
    def language(self) -> str:
        return check_language((get_language() or "de")[:2])


def _url(name: str, **kwargs: Any) -> str:
    """A link to a page of the walks app that may not exist (yet): "" then."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class WalkReportView(WalkReportMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = build_walk_report(self.walk, self.language)
        org = self.organisation.slug
        context = {
            "organisation": self.organisation,
            "walk": self.walk,
            "body": mark_safe(render_report_body(report)),  # rendered by our templates
            "walks_url": _url("walks:walk_list", org=org),
            "walk_url": _url("walks:walk_detail", org=org, walk=self.walk.pk),
        }
        return render(request, "walks/report.html", context)


class WalkReportPdfView(WalkReportMixin, View):
    """The PDF, made in the background the first time for each state of the walk; meanwhile
    the page says so and offers the link again."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        path = report_pdf_path(self.walk, self.language)
        if not path.is_file():
            job = f"walks:report-pdf:{path.name}"
            if cache.add(job, "running", JOB_SECONDS):
                run_in_background(make_report_pdf, self.walk.pk, self.language, job)
            if not path.is_file():
                context = {
                    "organisation": self.organisation,
                    "walk": self.walk,
                    "failed": cache.get(job) == "failed",
                }
                return render(request, "walks/report_pending.html", context, status=202)
        return FileResponse(
            path.open("rb"),
            content_type="application/pdf",
            filename=f"walk-{self.walk.pk}-report-{self.language}.pdf",
        )


def make_report_pdf(walk_pk: int, language: str, job: str) -> None:
    """The background job: write the PDF; on failure mark the job so the page says so."""
    try:
        report_pdf(Walk.objects.get(pk=walk_pk), language)
    except Exception:
        cache.set(job, "failed", 60)  # a new request after a minute tries again
        raise
    cache.delete(job)


urlpatterns: list[URLPattern] = [
    path("<int:walk>/report/", WalkReportView.as_view(), name="report"),
    path("<int:walk>/report.pdf", WalkReportPdfView.as_view(), name="report_pdf"),
]
