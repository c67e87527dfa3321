"""Answers in the back office: paper entry (single or double), the comparison, export and import.

Views stay thin: the rules live in `services/paper.py` and `services/exchange.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View

from defus.core.languages import language_choices
from defus.instrument.definition import Instrument
from defus.organisations.permissions import OrganisationPermissionMixin

from ..models import PaperEntry, Wave
from ..services import paper
from ..services.csvfiles import CsvError, read_upload
from ..services.exchange import export_zip, import_responses

DOUBLE_KEY = "fieldwork.paper.double.%s"
LANGUAGE_KEY = "fieldwork.paper.language.%s"
MAX_LISTED = 20  # warnings shown as messages after an import


class WaveDataMixin(OrganisationPermissionMixin):
    """Finds the wave in the organisation of the URL (404 for another organisation's wave)."""

    kwargs: dict[str, Any]

    @cached_property
    def wave(self) -> Wave:
        return get_object_or_404(Wave, organisation=self.organisation, slug=self.kwargs["wave"])

    @cached_property
    def instrument(self) -> Instrument:
        return self.wave.instrument

    def url(self, name: str, **extra: Any) -> str:
        return reverse(
            f"fieldwork:{name}",
            kwargs={"org": self.organisation.slug, "wave": self.wave.slug, **extra},
        )

    def base_context(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "wave": self.wave,
            "wave_url": reverse(
                "fieldwork:wave_detail",
                kwargs={"org": self.organisation.slug, "wave": self.wave.slug},
            ),
        }


def ui_language(instrument: Instrument) -> str:
    """The staff member's interface language if the instrument has it, else its first."""
    language = (get_language() or "").split("-")[0]
    return language if language in instrument.languages else instrument.languages[0]


# --- paper entry ------------------------------------------------------------------------------


@dataclass
class FieldRow:
    code: str
    name: str
    label: str
    hint: str
    numeric: bool
    value: str
    error: str
    question: str


class PaperEntryView(WaveDataMixin, View):
    permission = "responses.enter"
    template_name = "fieldwork/data_paper_entry.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        values = {"sheet": request.GET.get("sheet", "")[:40]}
        return self.render(values, {}, [])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        double = request.POST.get("double") == "1"
        request.session[DOUBLE_KEY % self.wave.pk] = double
        typed = paper.clean_sheet(self.instrument, request.POST)
        if typed.language:
            request.session[LANGUAGE_KEY % self.wave.pk] = typed.language
        values = {key: str(value) for key, value in request.POST.items()}
        if not typed.is_valid:
            return self.render(values, typed.errors, typed.dropped, status=400)
        try:
            result = paper.save_sheet(self.wave, typed, double=double, user=request.user)
        except paper.SheetRejected as rejected:
            return self.render(
                values, {rejected.field: rejected.message}, typed.dropped, status=409
            )
        self.report(result, typed.dropped)
        return HttpResponseRedirect(self.url("paper_entry"))

    def report(self, result: paper.EntryResult, dropped: list[str]) -> None:
        request = self.request
        sheet = result.sheet
        if result.outcome == paper.Outcome.COMMITTED:
            messages.success(request, _("Sheet %(sheet)s stored.") % {"sheet": sheet})
        elif result.outcome == paper.Outcome.FIRST_ENTRY:
            messages.success(
                request,
                _(
                    "Sheet %(sheet)s: first entry saved. It is stored once a second person has "
                    "typed it again."
                )
                % {"sheet": sheet},
            )
        else:
            messages.warning(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    ngettext(
                        "Sheet %(sheet)s: the two entries differ in %(count)d value.",
                        "Sheet %(sheet)s: the two entries differ in %(count)d values.",
                        len(result.differences),
                    )
                    % {"sheet": sheet, "count": len(result.differences)},
                    self.url("paper_sheet", sheet=sheet),
                    _("Resolve the differences"),
                ),
            )
        if dropped:
            messages.warning(request, self.dropped_message(sheet, dropped))

    @staticmethod
    def dropped_message(sheet: str, dropped: list[str]) -> str:
        return _(
            "Sheet %(sheet)s: not stored because the question's filter does not apply: %(items)s"
        ) % {"sheet": sheet, "items": ", ".join(dropped)}

    def render(
        self,
        values: dict[str, str],
        errors: dict[str, str],
        dropped: list[str],
        status: int = 200,
    ) -> HttpResponse:
        session = self.request.session
        language = values.get("language") or session.get(
            LANGUAGE_KEY % self.wave.pk, self.instrument.languages[0]
        )
        double = session.get(DOUBLE_KEY % self.wave.pk, False)
        groups = [
            (
                group.title,
                group.module.code,
                [
                    FieldRow(
                        code=row.item.code,
                        name=row.field_name,
                        label=row.label,
                        hint=row.hint,
                        numeric=row.numeric,
                        value=values.get(row.field_name, ""),
                        error=errors.get(row.field_name, ""),
                        question=row.question,
                    )
                    for row in group.rows
                ],
            )
            for group in paper.entry_groups(self.instrument, ui_language(self.instrument))
        ]
        field_errors = [
            (name, message)
            for name, message in errors.items()
            if name in ("sheet", "access_code", "language")
        ]
        item_errors = [
            (row.name, f"{row.code}: {row.error}")
            for _title, _code, rows in groups
            for row in rows
            if row.error
        ]
        open_sheets = (
            PaperEntry.objects.filter(wave=self.wave, committed=False)
            .values("sheet")
            .distinct()
            .count()
        )
        context = {
            **self.base_context(),
            "groups": groups,
            "values": values,
            "errors": errors,
            "error_summary": field_errors + item_errors,
            "dropped": dropped,
            "languages": language_choices(self.instrument.languages),
            "language": language,
            "double": double,
            "open_sheets": open_sheets,
            "stored_sheets": PaperEntry.objects.filter(
                wave=self.wave, committed=True, round=1
            ).count(),
        }
        return render(self.request, self.template_name, context, status=status)


class PaperDifferencesView(WaveDataMixin, View):
    permission = "responses.enter"
    template_name = "fieldwork/data_paper_differences.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sheets = paper.open_sheets(self.wave)
        language = ui_language(self.instrument)
        rows = [
            {
                "sheet": state.sheet,
                "first_row": index == 0,
                "rowspan": len(state.differences),
                "key": d.key,
                "first": self.describe(d.key, d.first, language),
                "second": self.describe(d.key, d.second, language),
            }
            for state in sheets
            if state.second is not None
            for index, d in enumerate(state.differences)
        ]
        context = {
            **self.base_context(),
            "rows": rows,
            "waiting": [s for s in sheets if s.second is None],
        }
        return render(request, self.template_name, context)

    def describe(self, key: str, value: Any, language: str) -> str:
        return paper.describe_value(self.instrument, key, value, language)


@dataclass
class Choice:
    key: str
    label: str
    first: str
    second: str
    pick: str
    other: str
    error: str
    is_language: bool


class PaperSheetView(WaveDataMixin, View):
    """One open sheet: pick the correct value per difference, or discard an entry."""

    permission = "responses.enter"
    template_name = "fieldwork/data_paper_sheet.html"

    def state(self) -> paper.SheetState:
        state = paper.sheet_state(self.wave, self.kwargs["sheet"])
        if state is None:
            raise Http404
        return state

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(self.state(), {}, {}, {})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = self.state()
        action = request.POST.get("action")
        if action in ("discard-1", "discard-2"):
            round_ = 1 if action == "discard-1" else 2
            paper.discard_entry(self.wave, state.sheet, round_)
            messages.success(
                request,
                _("Sheet %(sheet)s: entry %(round)d deleted.")
                % {"sheet": state.sheet, "round": round_},
            )
            if round_ == 2:
                return HttpResponseRedirect(self.url("paper_sheet", sheet=state.sheet))
            return HttpResponseRedirect(self.url("paper_differences"))
        if state.second is None:
            return self.render(state, {}, {}, {}, status=400)
        picks = {d.key: request.POST.get(f"pick-{d.key}", "") for d in state.differences}
        others = {d.key: request.POST.get(f"other-{d.key}", "") for d in state.differences}
        resolution = paper.clean_resolution(self.wave, state, picks, others)
        if resolution.errors:
            return self.render(state, picks, others, resolution.errors, status=400)
        try:
            paper.resolve_sheet(self.wave, state.sheet, resolution)
        except paper.SheetRejected as rejected:
            messages.error(request, rejected.message)
            return HttpResponseRedirect(self.url("paper_differences"))
        messages.success(request, _("Sheet %(sheet)s stored.") % {"sheet": state.sheet})
        if resolution.dropped:
            messages.warning(
                request, PaperEntryView.dropped_message(state.sheet, resolution.dropped)
            )
        return HttpResponseRedirect(self.url("paper_differences"))

    def render(
        self,
        state: paper.SheetState,
        picks: dict[str, str],
        others: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        instrument = self.instrument
        language = ui_language(instrument)
        labels = {
            row.item.code: row.label
            for group in paper.entry_groups(instrument, language)
            for row in group.rows
        }
        choices = [
            Choice(
                key=d.key,
                label=(
                    _("Language of the paper questionnaire")
                    if d.key == paper.LANGUAGE_KEY
                    else labels.get(d.key, "")
                ),
                first=paper.describe_value(instrument, d.key, d.first, language),
                second=paper.describe_value(instrument, d.key, d.second, language),
                pick=picks.get(d.key, ""),
                other=others.get(d.key, ""),
                error=errors.get(d.key, ""),
                is_language=d.key == paper.LANGUAGE_KEY,
            )
            for d in state.differences
        ]
        order = {code: index for index, code in enumerate(labels)}
        first_values = [
            (code, labels.get(code, ""), paper.describe_value(instrument, code, value, language))
            for code, value in sorted(
                state.first.answers.items(), key=lambda kv: order.get(kv[0], len(order))
            )
        ]
        context = {
            **self.base_context(),
            "state": state,
            "choices": choices,
            "first_values": first_values,
            "languages": language_choices(self.instrument.languages),
            "error_summary": [(c.key, f"{c.key}: {c.error}") for c in choices if c.error],
        }
        return render(self.request, self.template_name, context, status=status)


# --- export and import ------------------------------------------------------------------------


class ExportView(WaveDataMixin, View):
    permission = "responses.export"
    template_name = "fieldwork/data_export.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        languages = self.instrument.languages
        language = request.GET.get("language") or ui_language(self.instrument)
        if "download" in request.GET and language in languages:
            excel = request.GET.get("excel") == "1"
            archive = export_zip(self.wave, language=language, excel=excel)
            stamp = timezone.localdate().isoformat()
            return FileResponse(
                archive,
                as_attachment=True,
                filename=f"{self.wave.slug}-answers-{stamp}.zip",
                content_type="application/zip",
            )
        context = {
            **self.base_context(),
            "languages": language_choices(self.instrument.languages),
            "language": language if language in languages else languages[0],
            "language_error": "download" in request.GET and language not in languages,
            "count": self.wave.responses.count(),
        }
        status = 400 if context["language_error"] else 200
        return render(request, self.template_name, context, status=status)


class ImportView(WaveDataMixin, View):
    permission = "responses.export"
    template_name = "fieldwork/data_import.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(None, "")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return self.render(None, _("Please choose a CSV file."), status=400)
        try:
            data = read_upload(upload)
        except CsvError as error:
            return self.render(None, error.message, status=400)
        result = import_responses(self.wave, data)
        if not result.ok:
            return self.render(result, "", status=400)
        messages.success(
            request,
            ngettext(
                "%(count)d answer imported.",
                "%(count)d answers imported.",
                result.created,
            )
            % {"count": result.created},
        )
        for warning in result.warnings[:MAX_LISTED]:
            messages.warning(request, str(warning))
        hidden = len(result.warnings) - MAX_LISTED + result.more_warnings
        if hidden > 0:
            messages.warning(
                request,
                ngettext("… and %(count)d more note.", "… and %(count)d more notes.", hidden)
                % {"count": hidden},
            )
        return HttpResponseRedirect(self.url("data_import"))

    def render(self, result: Any, file_error: str, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context(),
            "result": result,
            "file_error": file_error,
            "count": self.wave.responses.count(),
            "export_url": self.url("data_export"),
        }
        return render(self.request, self.template_name, context, status=status)
