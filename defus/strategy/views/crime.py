"""Recorded crime: the tables per district and year, and the CSV import (crime.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from defus.fieldwork.services.csvfiles import CsvError, read_upload

from ..crime import COLUMNS, CrimeImport, crime_tables, import_crime
from ..forms import CrimeUploadForm
from .base import StrategyMixin


def crime_page(
    view: StrategyMixin, form: CrimeUploadForm, result: CrimeImport | None, status: int = 200
) -> HttpResponse:
    context = {
        **view.base_context("crime"),
        "tables": crime_tables(view.organisation),
        "form": form,
        "result": result,
        "columns": COLUMNS,
    }
    return render(view.request, "strategy/crime.html", context, status=status)


class CrimeView(StrategyMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return crime_page(self, CrimeUploadForm(), None)


class CrimeImportView(StrategyMixin, View):
    """POST a CSV file; all or nothing. GET shows the same page as the tables."""

    permission = "strategy.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return crime_page(self, CrimeUploadForm(), None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CrimeUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return crime_page(self, form, None, status=400)
        try:
            data = read_upload(form.cleaned_data["file"])
        except CsvError as error:
            result = CrimeImport()
            result.problem(None, None, error.message)
            return crime_page(self, CrimeUploadForm(), result, status=400)
        result = import_crime(self.organisation, data)
        if not result.ok:
            return crime_page(self, CrimeUploadForm(), result, status=400)
        messages.success(
            request,
            _("%(count)d figures imported (%(new)d new, %(replaced)d replaced).")
            % {
                "count": result.created + result.replaced,
                "new": result.created,
                "replaced": result.replaced,
            },
        )
        return HttpResponseRedirect(
            reverse("strategy:crime", kwargs={"org": self.organisation.slug})
        )


urlpatterns: list[URLPattern] = [
    path("crime/", CrimeView.as_view(), name="crime"),
    path("crime/import/", CrimeImportView.as_view(), name="crime_import"),
]
