"""Pages about the standard instrument: versions, overview, codebook, paper questionnaire.

They show the shipped questionnaire, not a city's data, so any logged-in person may see them.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from defus.core.languages import language_choices

from .codebook import codebook_context, codebook_csv, render_codebook_html
from .definition import Instrument, available_versions, standard_instrument, translate
from .paper import questionnaire_outline, render_paper_pdf


def _instrument(key: str, version: str) -> Instrument:
    if (key, version) not in available_versions():
        raise Http404("No such instrument version")
    return standard_instrument(key, version)


def _language(request: HttpRequest, instrument: Instrument) -> str:
    """The language asked for (?language=), else the page's, else the instrument's first."""
    for candidate in (request.GET.get("language", ""), get_language() or ""):
        code = candidate[:2].lower()
        if code in instrument.languages:
            return code
    return instrument.languages[0]


def _summary(instrument: Instrument, language: str | None = None) -> dict[str, object]:
    language = language or (get_language() or "")[:2]
    return {
        "instrument": instrument,
        "language_choices": language_choices(instrument.languages),
        "title": translate(instrument.title, language),
        "module_count": len(instrument.modules),
        "question_count": sum(len(m.questions) for m in instrument.modules),
        "item_count": len(instrument.items),
    }


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    newest_first = sorted(
        available_versions(), key=lambda kv: (kv[0], [int(p) for p in kv[1].split(".")])
    )[::-1]
    versions = [_summary(standard_instrument(key, version)) for key, version in newest_first]
    return render(request, "instrument/list.html", {"versions": versions})


@login_required
def instrument_detail(request: HttpRequest, key: str, version: str) -> HttpResponse:
    instrument = _instrument(key, version)
    language = _language(request, instrument)
    scales = [
        {
            "key": scale.key,
            "options": [(o.code, o.text(language), o.special) for o in scale.options],
        }
        for scale in instrument.scales.values()
    ]
    context = {
        **_summary(instrument, language),
        "language": language,
        "modules": questionnaire_outline(instrument, language),
        "scales": scales,
    }
    return render(request, "instrument/detail.html", context)


@login_required
def codebook_page(request: HttpRequest, key: str, version: str) -> HttpResponse:
    instrument = _instrument(key, version)
    language = _language(request, instrument)
    if request.GET.get("download"):
        response = HttpResponse(
            render_codebook_html(instrument, language), content_type="text/html; charset=utf-8"
        )
        name = f"{instrument.ident}-codebook-{language}.html"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {**_summary(instrument, language), **codebook_context(instrument, language)}
    return render(request, "instrument/codebook.html", context)


@login_required
def codebook_download(request: HttpRequest, key: str, version: str) -> HttpResponse:
    instrument = _instrument(key, version)
    language = _language(request, instrument)
    response = HttpResponse(
        codebook_csv(instrument, language), content_type="text/csv; charset=utf-8"
    )
    name = f"{instrument.ident}-codebook-{language}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@lru_cache(maxsize=12)
def _standard_paper(key: str, version: str, language: str) -> bytes:
    # The standard instrument never changes while the process runs: render each PDF once.
    return render_paper_pdf(standard_instrument(key, version), language)


@login_required
def paper_pdf(request: HttpRequest, key: str, version: str, language: str) -> HttpResponse:
    instrument = _instrument(key, version)
    if language not in instrument.languages:
        raise Http404("No such language")
    response = HttpResponse(
        _standard_paper(instrument.key, instrument.version, language),
        content_type="application/pdf",
    )
    name = f"{instrument.ident}-questionnaire-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
