"""Analysis views: exports (microdata with weights, tables) and the weighting settings.

The rules live in exports.py (files, reuse per answer revision, background) and scheme.py
(a weighting change is kept only if the sample can be weighted with it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from defus.core.languages import language_choices, language_name
from defus.fieldwork.services.csvfiles import CsvError, read_upload
from defus.organisations.permissions import has_permission

from .. import exports
from ..margins import DEFAULT_MARGINS, Settings, parse_margins_csv, wave_design
from ..models import ExportFile
from ..scheme import change_weighting, margins_csv, margins_in_use, reset_weighting
from ..weighting import WeightingError
from .base import WaveAnalysisMixin

MICRODATA_PERMISSION = "responses.export"
MARGINS_MAX_BYTES = 1024 * 1024

KIND_LABELS = {
    "sav": gettext_lazy("SPSS (.sav)"),
    "dta": gettext_lazy("Stata (.dta)"),
    "xlsx": gettext_lazy("Excel (.xlsx)"),
    "csv": gettext_lazy("CSV (UTF-8, ZIP with codebook)"),
    exports.TABLES: gettext_lazy("Tables (Excel)"),
}
BREAKDOWN_LABELS = {
    "": gettext_lazy("no breakdown"),
    "district": gettext_lazy("by district"),
    "gender": gettext_lazy("by gender"),
    "age_group": gettext_lazy("by age group"),
}
MARGIN_LABELS = {
    "gender_age": gettext_lazy("gender × age group"),
    "gender": gettext_lazy("gender"),
    "age_group": gettext_lazy("age group"),
    "district": gettext_lazy("district"),
}


class AnalysisPageMixin(WaveAnalysisMixin):
    """The wave navigation's permissions and the wave, for every page of this module."""

    def may(self, permission: str) -> bool:
        return has_permission(self.request.user, self.organisation, permission)

    def url(self, name: str, **extra: Any) -> str:
        return reverse(
            f"analysis:{name}",
            kwargs={"org": self.organisation.slug, "wave": self.wave.slug, **extra},
        )

    def base_context(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "wave": self.wave,
            "can_manage": self.may("wave.manage"),
            "can_sample": self.may("sample.manage"),
            "can_analyse": True,  # every page here needs analysis.view at least
        }


# --- exports ------------------------------------------------------------------------------------


class ExportsView(AnalysisPageMixin, View):
    """Formats to choose, and the files of the current answers with their state. While one
    is being prepared, htmx asks for the list every 2 s; without JavaScript a link reloads."""

    permission = "analysis.view"
    template_name = "analysis/exports.html"

    def kinds(self) -> list[str]:
        if self.may(MICRODATA_PERMISSION):
            return list(exports.KINDS)
        return [exports.TABLES]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("part") == "files":
            return render(request, "analysis/exports_files.html", self.files_context(poll=True))
        return self.render({})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = request.POST.get("kind", "")
        language = request.POST.get("language", "")
        by = request.POST.get("by", "") or None
        errors: dict[str, str] = {}
        if kind not in exports.KINDS:
            errors["kind"] = _("Please choose a format.")
        elif kind in exports.MICRODATA_KINDS and not self.may(MICRODATA_PERMISSION):
            raise PermissionDenied
        if language not in self.wave.instrument.languages:
            errors["language"] = _("Please choose a language of the questionnaire.")
        if kind == exports.TABLES and by is not None and by not in exports.BREAKDOWNS:
            errors["by"] = _("Please choose a breakdown from the list.")
        if errors:
            return self.render(request.POST, errors, status=400)
        export = exports.get_or_start_export(
            self.wave,
            kind,
            language,
            by if kind == exports.TABLES else None,
            ui_language=get_language(),
        )
        label = self.describe(export)
        if export.status == ExportFile.Status.READY:
            messages.success(request, _("%(file)s is ready for download.") % {"file": label})
        elif export.status == ExportFile.Status.PENDING:
            messages.info(
                request,
                _("%(file)s is being prepared. This page shows when it is ready.")
                % {"file": label},
            )
        else:
            messages.error(request, export.error)
        return HttpResponseRedirect(self.url("exports"))

    def describe(self, export: ExportFile) -> str:
        parts = [str(KIND_LABELS[export.kind]), language_name(export.language)]
        if export.kind == exports.TABLES:
            parts.append(str(BREAKDOWN_LABELS[exports.export_breakdown(export) or ""]))
        return ", ".join(parts)

    def files_context(self, *, poll: bool = False) -> dict[str, Any]:
        rows: list[dict[str, Any]] = [
            {
                "export": export,
                "label": self.describe(export),
                "download_url": self.url("export_download", export=export.pk),
            }
            for export in exports.current_exports(self.wave, self.kinds())
        ]
        pending = any(row["export"].status == ExportFile.Status.PENDING for row in rows)
        return {
            **self.base_context(),
            "files": rows,
            "pending": pending,
            "poll": poll,
            "files_url": self.url("exports") + "?part=files",
            "page_url": self.url("exports"),
        }

    def render(
        self, values: Any, errors: dict[str, str] | None = None, status: int = 200
    ) -> HttpResponse:
        instrument = self.wave.instrument
        language = values.get("language") or (get_language() or "de").split("-")[0]
        if language not in instrument.languages:
            language = instrument.languages[0]
        context = {
            **self.files_context(),
            "kinds": [(kind, KIND_LABELS[kind]) for kind in self.kinds()],
            "microdata": self.may(MICRODATA_PERMISSION),
            "kind": values.get("kind", ""),
            "languages": language_choices(instrument.languages),
            "language": language,
            "breakdowns": list(BREAKDOWN_LABELS.items()),
            "by": values.get("by", ""),
            "errors": errors or {},
            "responses": self.wave.responses.count(),
            "tables": exports.TABLES,
        }
        return render(self.request, self.template_name, context, status=status)


class ExportDownloadView(AnalysisPageMixin, View):
    permission = "analysis.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        export = get_object_or_404(
            ExportFile, pk=self.kwargs["export"], wave=self.wave, kind__in=exports.KINDS
        )
        if export.kind != exports.TABLES and not self.may(MICRODATA_PERMISSION):
            raise PermissionDenied
        file_path = exports.export_path(export)
        if export.status != ExportFile.Status.READY or file_path is None:
            raise Http404
        return FileResponse(
            file_path.open("rb"), as_attachment=True, filename=exports.download_name(export)
        )


# --- weighting ----------------------------------------------------------------------------------


class WeightingView(AnalysisPageMixin, View):
    """Margins and trimming of the wave's weighting, with the diagnostics they give. A change
    that makes weighting fail is shown and not stored."""

    permission = "analysis.manage"
    template_name = "analysis/weighting.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("download") == "margins":
            response = HttpResponse(
                "\ufeff" + margins_csv(self.wave), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{self.wave.slug}-margins.csv"'
            return response
        return self.render()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action")
        try:
            if action == "margins":
                upload = request.FILES.get("margins")
                if upload is None:
                    return self.render(margins_error=_("Please choose a CSV file."), status=400)
                try:
                    margins = parse_margins_csv(read_upload(upload, MARGINS_MAX_BYTES))
                except CsvError as error:
                    return self.render(margins_error=error.message, status=400)
                except WeightingError as error:
                    return self.render(margins_error=str(error), status=400)
                change_weighting(self.wave, margins=margins)
                messages.success(request, _("The margins of the file are now in use."))
            elif action == "trim":
                raw = request.POST.get("trim", "").strip()
                try:
                    trim = parse_trim(raw)
                except ValueError:
                    return self.render(
                        trim_error=_(
                            "Please enter a number larger than 1 (a multiple of the median "
                            "weight), or leave the field empty for no trimming."
                        ),
                        trim_value=raw,
                        status=400,
                    )
                change_weighting(self.wave, trim=trim)
                messages.success(
                    request,
                    _("Weights are now capped at %(trim)s × the median.") % {"trim": f"{trim:g}"}
                    if trim is not None
                    else _("Weights are no longer trimmed."),
                )
            elif action == "defaults":
                reset_weighting(self.wave)
                messages.success(
                    request, _("The wave is weighted by gender × age group and district again.")
                )
            else:
                return self.render(status=400)
        except WeightingError as error:
            return self.render(
                change_error=_(
                    "Not stored – with this change the sample cannot be weighted: %(reason)s"
                )
                % {"reason": error},
                status=400,
            )
        return HttpResponseRedirect(self.url("weighting"))

    def render(
        self,
        *,
        margins_error: str = "",
        trim_error: str = "",
        trim_value: str | None = None,
        change_error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        settings = Settings.for_wave(self.wave)
        info: dict[str, Any] | None = None
        problem = ""
        try:
            info = wave_design(self.wave).diagnostics()
        except WeightingError as error:
            problem = str(error)
        margins = [
            {**margin, "label": margin_label(self.wave, margin["variable"])}
            for margin in margins_in_use(self.wave)
        ]
        context = {
            **self.base_context(),
            "settings": settings,
            "default_margins": settings.margins == DEFAULT_MARGINS,
            "margins": margins,
            "info": info,
            "problem": problem,
            "margins_error": margins_error,
            "trim_error": trim_error,
            "trim_value": (
                trim_value
                if trim_value is not None
                else ("" if settings.trim is None else f"{settings.trim:g}")
            ),
            "change_error": change_error,
            "open_link": self.wave.responses.filter(source="open_link").count(),
            "download_url": self.url("weighting") + "?download=margins",
        }
        return render(self.request, self.template_name, context, status=status)


def parse_trim(raw: str) -> float | None:
    """The cap from the form (None: no trimming); ValueError unless a number larger than 1."""
    if not raw:
        return None
    value = float(raw.replace(",", "."))
    if not 1 < value < float("inf"):
        raise ValueError(raw)
    return value


def margin_label(wave: Any, variable: str) -> str:
    if variable in MARGIN_LABELS:
        return str(MARGIN_LABELS[variable])
    item = wave.instrument.item_index.get(variable)
    language = (get_language() or "de").split("-")[0]
    return f"{variable} – {item.label(language)}" if item is not None else variable


urlpatterns: list[URLPattern] = [
    path("<slug:wave>/exports/", ExportsView.as_view(), name="exports"),
    path(
        "<slug:wave>/exports/<int:export>/download/",
        ExportDownloadView.as_view(),
        name="export_download",
    ),
    path("<slug:wave>/weighting/", WeightingView.as_view(), name="weighting"),
]
