"""The one-page overview for the council, as a web page and as an A4 PDF (overview.py).

The PDF is made within the request: one page of tables renders in about a second, and its
figures are evaluated afresh each time (nothing of the evaluation is stored)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.views import View

from ..overview import build_overview, overview_pdf, render_overview_body
from .base import StrategyMixin


class OverviewView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = render_overview_body(build_overview(self.organisation, self.language))
        context = {
            **self.base_context("overview"),
            "body": mark_safe(body),  # rendered by our own template, values escaped there
        }
        return render(request, "strategy/overview.html", context)


class OverviewPdfView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pdf = overview_pdf(self.organisation, self.language)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"{self.organisation.slug}-strategy-{self.language}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


urlpatterns: list[URLPattern] = [
    path("overview/", OverviewView.as_view(), name="overview"),
    path("overview.pdf", OverviewPdfView.as_view(), name="overview_pdf"),
]
