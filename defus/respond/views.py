"""The respondent's pages under /s/: thin views over defus.respond.services.

No session and no login on this path: the browser holds a signed, HttpOnly cookie with the
draft's random id (and, for drafts started with a code, the code's row id, so that a
submission that lost a race can still say "already used"). Each page costs one query for the
draft, plus one UPDATE when a page is sent. Pages are rendered in the respondent's language
with translation.override, so <html lang> and every interface string follow the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from defus.core.languages import language_name
from defus.fieldwork.models import AccessCode, Draft, Wave
from defus.instrument.definition import translate

from . import services
from .render import question_html, summary_html
from .services import CodeAlreadyUsed, DraftGone, EntryStatus

DRAFT_COOKIE = "defus_draft"
DONE_COOKIE = "defus_done"
DRAFT_SALT = "defus.respond.draft"
OPEN_LINK_COOKIE_AGE = 30 * 24 * 3600
SITE_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


def _csrf_protected(request: HttpRequest) -> HttpResponse:  # stands for the view being checked
    return HttpResponse()


methods = require_http_methods(["GET", "HEAD", "POST"])


# --- helpers ----------------------------------------------------------------------------------


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    language: str,
    status: int = 200,
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    _private(response)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    # Answers must not stay in shared caches or a shared device's back/forward cache.
    response["Cache-Control"] = "no-store, private"
    # Referrer-Policy stays "same-origin" (settings): with "no-referrer" browsers send
    # "Origin: null" on form posts, which the CSRF check rightly refuses.
    response["X-Robots-Tag"] = "noindex"
    return response


def _redirect(url: str) -> HttpResponse:
    return _private(HttpResponseRedirect(url))


def _site_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "")
    return wanted if wanted in SITE_LANGUAGES else settings.LANGUAGE_CODE


def _language_links(request: HttpRequest, codes: tuple[str, ...], current: str) -> list[Any]:
    return [
        {
            "code": code,
            "name": language_name(code),
            "current": code == current,
            "url": "?" + urlencode({"lang": code}),
        }
        for code in codes
    ]


def _message(
    request: HttpRequest, kind: str, language: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"kind": kind, "page_id": kind, **extra}
    return _render(request, "respond/message.html", context, language, status=status)


def _csrf_failure(request: HttpRequest, language: str) -> HttpResponse | None:
    """Django's CSRF check, with a friendly page in the respondent's language on failure."""
    if _csrf.process_view(request, _csrf_protected, (), {}) is None:
        return None
    return _message(request, "expired", language, status=403)


def _set_draft_cookie(response: HttpResponse, request: HttpRequest, draft: Draft) -> None:
    value = f"{draft.pk}.{draft.access_code_id or ''}"
    response.set_signed_cookie(
        DRAFT_COOKIE,
        value,
        salt=DRAFT_SALT,
        # With a code, the code is the way back (on any device); the cookie ends with the
        # browser so that nobody else on a shared device continues. Without a code, the
        # cookie is the only way back.
        max_age=None if draft.access_code_id else OPEN_LINK_COOKIE_AGE,
        path="/s/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _forget_draft_cookie(response: HttpResponse) -> None:
    response.delete_cookie(DRAFT_COOKIE, path="/s/", samesite="Lax")


def _cookie(request: HttpRequest) -> tuple[str, int | None] | None:
    value = request.get_signed_cookie(DRAFT_COOKIE, default=None, salt=DRAFT_SALT)
    if not value:
        return None
    draft_id, _sep, code_pk = value.partition(".")
    return draft_id, int(code_pk) if code_pk.isdigit() else None


def _draft_or_response(
    request: HttpRequest,
) -> tuple[Draft, services.BoundInstrument] | HttpResponse:
    """The respondent's draft and the wave's instrument, or the page to show instead."""
    language = _site_language(request)
    cookie = _cookie(request)
    draft = services.load_draft(cookie[0]) if cookie else None
    if draft is None:
        return _missing_draft(request, cookie, language)
    problem = services.field_problem(draft.wave)
    if problem is None and draft.access_code_id and not draft.wave.mode_web:
        problem = "offline"
    if problem is not None:
        return _not_in_field(request, draft.wave, problem, draft.language)
    return draft, services.bound_instrument(draft.wave)


def _missing_draft(
    request: HttpRequest, cookie: tuple[str, int | None] | None, language: str
) -> HttpResponse:
    finished = request.COOKIES.get(DONE_COOKIE)
    if cookie is None and finished in SITE_LANGUAGES:
        return _render(request, "respond/done.html", {"page_id": "done"}, finished)
    if cookie and cookie[1] is not None:
        used = AccessCode.objects.filter(pk=cookie[1], used=True).exists()
        if used:
            response = _message(request, "used", language)
            _forget_draft_cookie(response)
            return response
    response = _message(request, "gone", language, start_url=reverse("respond:start"))
    if cookie:
        _forget_draft_cookie(response)
    return response


def _not_in_field(request: HttpRequest, wave: Wave, problem: str, language: str) -> HttpResponse:
    return _message(
        request,
        "not_in_field",
        language,
        problem=problem,
        field_start=wave.field_start,
        field_end=wave.field_end,
    )


def _page_url(number: int, bound: services.BoundInstrument) -> str:
    if number <= 0:
        return reverse("respond:welcome")
    if number > bound.page_count:
        return reverse("respond:review")
    return reverse("respond:page", args=[number])


def _languages(bound: services.BoundInstrument, current: str) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": language_name(code), "current": code == current}
        for code in bound.languages()
    ]


def _survey_context(draft: Draft, bound: services.BoundInstrument, language: str) -> dict[str, Any]:
    return {
        "survey_title": translate(bound.instrument.title, language),
        "organisation": bound.organisation,
        "languages": _languages(bound, language),
        "open_link": draft.access_code_id is None,
    }


# --- code entry -------------------------------------------------------------------------------


@csrf_exempt
@methods
def start(request: HttpRequest) -> HttpResponse:
    """Enter the access code from the letter; /s/?code=… (the letter's QR code) continues too."""
    language = _site_language(request)
    raw: str | None = None
    if request.method == "POST":
        failure = _csrf_failure(request, language)
        if failure is not None:
            return failure
        raw = request.POST.get("code", "")
        posted = request.POST.get("language", "")
        language = posted if posted in SITE_LANGUAGES else language
    elif "code" in request.GET:
        raw = request.GET.get("code", "")
    # A language counts as chosen when the person picked it (link or cookie); a browser's
    # default must not switch a resumed questionnaire out of the language it was begun in.
    explicit = (
        request.GET.get("lang") in SITE_LANGUAGES
        or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    )
    if raw is None:
        response = _start_form(request, language)
    else:
        response = _enter(request, raw[:200], language, explicit)
    if request.GET.get("lang") in SITE_LANGUAGES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=request.is_secure()
        )
    return response


def _start_form(
    request: HttpRequest, language: str, code: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "page_id": "start",
        "code": code,
        "error": error,
        "site_languages": _language_links(request, SITE_LANGUAGES, language),
        "has_draft": _cookie(request) is not None,
    }
    return _render(request, "respond/start.html", context, language, status=status)


def _enter(request: HttpRequest, raw: str, language: str, explicit: bool = True) -> HttpResponse:
    result = services.enter_code(
        raw, client=services.client_key(request.META), language=language, explicit=explicit
    )
    if result.status is EntryStatus.THROTTLED:
        return _message(request, "throttled", language, status=429)
    if result.status is EntryStatus.EMPTY:
        return _start_form(request, language, raw, "empty")
    if result.status is EntryStatus.UNKNOWN:
        return _start_form(request, language, raw, "unknown")
    if result.status is EntryStatus.USED:
        return _message(request, "used", language)
    if result.status is EntryStatus.NOT_IN_FIELD:
        assert result.wave is not None and result.problem is not None
        return _not_in_field(request, result.wave, result.problem, language)
    draft = result.draft
    assert draft is not None
    bound = services.bound_instrument(draft.wave)
    response = _redirect(_page_url(services.page_for(draft, bound), bound))
    _set_draft_cookie(response, request, draft)
    return response


@csrf_exempt
@methods
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The wave's open link: an anonymous questionnaire without a code (flagged in results)."""
    language = _site_language(request)
    wave = services.open_link_wave(token)
    if wave is None:
        return _message(request, "bad_link", language, status=404)
    problem = services.field_problem(wave)
    if problem is not None:
        return _not_in_field(request, wave, problem, language)
    bound = services.bound_instrument(wave)
    language = bound.language_for(language)
    if request.method == "POST":
        failure = _csrf_failure(request, language)
        if failure is not None:
            return failure
        language = bound.language_for(request.POST.get("language", language))
        draft = services.start_open_link(wave, language)
        services.update_draft(draft, page=1)
        response = _redirect(reverse("respond:page", args=[1]))
        _set_draft_cookie(response, request, draft)
        return response
    cookie = _cookie(request)
    if cookie and cookie[1] is None:
        existing = services.load_draft(cookie[0])
        if existing is not None and existing.wave_id == wave.pk:
            return _redirect(_page_url(services.page_for(existing, bound), bound))
    context = {
        "page_id": "open",
        "survey_title": translate(bound.instrument.title, language),
        "organisation": bound.organisation,
        "page_count": bound.page_count,
        "site_languages": _language_links(request, bound.languages(), language),
        "language": language,
    }
    return _render(request, "respond/open.html", context, language)


# --- the questionnaire ------------------------------------------------------------------------


@methods
def resume(request: HttpRequest) -> HttpResponse:
    """Go to the page where the respondent left off."""
    found = _draft_or_response(request)
    if isinstance(found, HttpResponse):
        return found
    draft, bound = found
    return _redirect(_page_url(services.page_for(draft, bound), bound))


RespondentView = Callable[..., HttpResponse]


def _with_draft(view: RespondentView) -> Callable[..., HttpResponse]:
    """For pages of a questionnaire in progress: find the draft (or the page to show instead),
    settle the language, check CSRF on POST, then call view(request, draft, bound, language)."""

    @csrf_exempt
    @methods
    @wraps(view)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        found = _draft_or_response(request)
        if isinstance(found, HttpResponse):
            return found
        draft, bound = found
        language = bound.language_for(draft.language)
        if request.method == "POST":
            failure = _csrf_failure(request, language)
            if failure is not None:
                return failure
        return view(request, draft, bound, language, **kwargs)

    return wrapper


@_with_draft
def welcome(
    request: HttpRequest, draft: Draft, bound: services.BoundInstrument, language: str
) -> HttpResponse:
    """The first page: what the survey is, anonymity, and the choice of language."""
    if request.method == "POST":
        switch = request.POST.get("language")
        try:
            if switch:
                services.update_draft(draft, language=bound.language_for(switch))
                return _redirect(reverse("respond:welcome"))
            services.update_draft(draft, page=max(1, services.page_for(draft, bound)))
        except DraftGone:
            return _missing_draft(request, _cookie(request), language)
        return _redirect(_page_url(draft.page, bound))
    context = {
        "page_id": "welcome",
        "page_count": bound.page_count,
        "resumed": bool(draft.answers),
        **_survey_context(draft, bound, language),
    }
    return _render(request, "respond/welcome.html", context, language)


@_with_draft
def page(
    request: HttpRequest,
    draft: Draft,
    bound: services.BoundInstrument,
    language: str,
    number: int,
) -> HttpResponse:
    """One module of the questionnaire."""
    if not 1 <= number <= bound.page_count:
        return _redirect(_page_url(services.page_for(draft, bound), bound))
    if request.method != "POST":
        spec = bound.page(number, language)
        return _render_page(request, draft, bound, spec, language, draft.answers or {}, {}, None)

    switch = request.POST.get("language", "")
    if switch:
        language = bound.language_for(switch)
    action = request.POST.get("action", "")
    spec = bound.page(number, language)
    values = services.form_values(spec, request.POST)
    with translation.override(language):
        answers, errors = services.save_page(draft, bound, number, values)
    if action == "back":
        target = number - 1
    elif errors or switch or action not in ("next", "save"):
        target = number
    else:
        target = number + 1 if action == "next" else number
    try:
        services.update_draft(draft, answers=answers, page=target, language=language)
    except DraftGone:
        return _missing_draft(request, _cookie(request), language)
    if errors and action != "back":
        return _render_page(request, draft, bound, spec, language, answers, errors, values)
    if action == "save":
        return _saved_redirect(draft, language)
    return _redirect(_page_url(target, bound))


def _saved_redirect(draft: Draft, language: str) -> HttpResponse:
    kind = "code" if draft.access_code_id else "open"
    response = _redirect(reverse("respond:saved") + "?" + urlencode({"l": language, "k": kind}))
    if draft.access_code_id:
        # Coming back is done with the code; nobody else on this device continues.
        _forget_draft_cookie(response)
    return response


def _render_page(
    request: HttpRequest,
    draft: Draft,
    bound: services.BoundInstrument,
    spec: services.PageSpec,
    language: str,
    answers: dict[str, Any],
    errors: dict[str, str],
    typed: dict[str, Any] | None,
) -> HttpResponse:
    source: dict[str, Any] = typed if typed is not None else answers
    with translation.override(language):
        questions = [
            _question_view(q, source, errors, typed is not None)
            for q in services.visible_questions(spec, answers)
        ]
    error_list = [
        {"text": message, "label": spec.error_targets[key][0], "target": spec.error_targets[key][1]}
        for key, message in errors.items()
        if key in spec.error_targets
    ]
    context = {
        "page_id": f"page-{spec.number}",
        "spec": spec,
        "questions": questions,
        "errors": error_list,
        "number": spec.number,
        "total": spec.total,
        **_survey_context(draft, bound, language),
    }
    return _render(request, "respond/page.html", context, language)


def _question_view(
    q: services.QuestionSpec, source: dict[str, Any], errors: dict[str, str], typed: bool
) -> dict[str, Any]:
    describedby = []
    if q.filter_note:
        describedby.append(f"{q.code}-filter")
    if q.note:
        describedby.append(f"{q.code}-note")
    question_error = errors.get(q.code, "")
    if q.kind in ("single", "number", "text"):
        question_error = question_error or errors.get(q.items[0].code, "")
    if question_error:
        describedby.append(f"{q.code}-error")
    if q.kind == "multi":
        raw = source.get(q.code) if typed else None
        if raw is None:
            ticked = {i.code for i in q.items if source.get(i.code) == 1}
        else:
            ticked = {str(v) for v in raw}
        items = [{"spec": i, "checked": i.code in ticked} for i in q.items]
    else:
        items = []
        for i in q.items:
            value = source.get(i.code)
            error = errors.get(i.code, "") if q.kind == "grid" else ""
            items.append(
                {
                    "spec": i,
                    "value": "" if value is None else str(value),
                    "error": error,
                    "error_id": f"{i.code}-error" if error else "",
                }
            )
    view = {
        "spec": q,
        "items": items,
        "error": question_error,
        "describedby": " ".join(describedby),
    }
    view["html"] = question_html(q, view)
    return view


@_with_draft
def review(
    request: HttpRequest, draft: Draft, bound: services.BoundInstrument, language: str
) -> HttpResponse:
    """The last page: the answers at a glance, and Submit."""
    if request.method == "POST":
        return _review_post(request, draft, bound, language)
    with translation.override(language):
        modules = services.summary(bound, draft.answers or {}, language)
        html = summary_html(modules)
    context = {
        "page_id": "review",
        "summary": html,
        "number": bound.page_count + 1,
        "total": bound.page_count + 1,
        **_survey_context(draft, bound, language),
    }
    return _render(request, "respond/review.html", context, language)


def _review_post(
    request: HttpRequest, draft: Draft, bound: services.BoundInstrument, language: str
) -> HttpResponse:
    action = request.POST.get("action", "")
    switch = request.POST.get("language", "")
    try:
        if switch:
            services.update_draft(draft, language=bound.language_for(switch))
            return _redirect(reverse("respond:review"))
        if action == "back":
            services.update_draft(draft, page=bound.page_count)
            return _redirect(_page_url(bound.page_count, bound))
        if action == "save":
            services.update_draft(draft, page=bound.page_count + 1)
            return _saved_redirect(draft, language)
        if action != "submit":
            return _redirect(reverse("respond:review"))
        services.complete(draft, language)
    except CodeAlreadyUsed:
        response = _message(request, "used", language)
        _forget_draft_cookie(response)
        return response
    except DraftGone:
        return _missing_draft(request, _cookie(request), language)
    response = _redirect(reverse("respond:done") + "?" + urlencode({"l": language}))
    _forget_draft_cookie(response)
    # The browser's Back button after Submit should thank, not say "not found". The cookie
    # says only "this browser completed a questionnaire in this language", for an hour.
    response.set_cookie(
        DONE_COOKIE,
        language,
        max_age=3600,
        path="/s/",
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


@methods
def saved(request: HttpRequest) -> HttpResponse:
    """Answers saved: how to come back."""
    language = request.GET.get("l", "")
    language = language if language in SITE_LANGUAGES else _site_language(request)
    kind = "open" if request.GET.get("k") == "open" else "code"
    context = {"page_id": "saved", "kind": kind, "start_url": reverse("respond:start")}
    return _render(request, "respond/saved.html", context, language)


@methods
def done(request: HttpRequest) -> HttpResponse:
    """Thank you – and nothing else."""
    language = request.GET.get("l", "")
    language = language if language in SITE_LANGUAGES else _site_language(request)
    response = _render(request, "respond/done.html", {"page_id": "done"}, language)
    if DRAFT_COOKIE in request.COOKIES:
        _forget_draft_cookie(response)
    return response
