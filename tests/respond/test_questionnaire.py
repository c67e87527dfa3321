"""The respondent's questionnaire through the Django test client: codes, pages, completion."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from defus.fieldwork.models import AccessCode, Draft, Response
from defus.respond import services
from defus.respond.views import DRAFT_COOKIE

from .conftest import data_page, html_lang, module_number, printed, valid_form

pytestmark = pytest.mark.django_db


def enter(client: Client, code: str, **extra: Any) -> Any:
    return client.post("/s/", {"code": code}, **extra)


def started(client: Client, code: str) -> Any:
    """Enter the code and leave the welcome page: the first module page is next."""
    assert enter(client, code).status_code == 302
    response = client.post("/s/welcome/", {"action": "start"})
    assert response["Location"] == "/s/page/1/"
    return response


def draft_of(code: str) -> Draft:
    return Draft.objects.get(access_code__code=code)


# --- code entry -------------------------------------------------------------------------------


def test_code_page_is_a_plain_accessible_form(client: Client, wave: Any) -> None:
    response = client.get("/s/")
    html = response.content.decode()
    assert response.status_code == 200
    assert data_page(html) == "start"
    field = re.search(r"<input type=\"text\" id=\"code\"[^>]*>", html, re.S)
    assert field
    for attribute in (
        'autocomplete="off"',
        'spellcheck="false"',
        'autocapitalize="characters"',
        'aria-describedby="code-hint"',
    ):
        assert attribute in field.group(0)
    assert '<label for="code">' in html
    assert "XXXXX" not in html or "ABCDE-34679" in html  # the hint shows the format
    assert "ABCDE-34679" in html
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("typed", ["{dash}", "{lower}", " {spaced} ", "{plain}"])
def test_a_valid_code_in_any_spelling_opens_the_questionnaire(
    client: Client, wave: Any, codes: list[str], typed: str
) -> None:
    code = codes[0]
    raw = typed.format(
        dash=printed(code),
        lower=printed(code).lower(),
        spaced=f"{code[:3]} {code[3:7]} {code[7:]}",
        plain=code,
    )
    response = enter(client, raw)
    assert response.status_code == 302
    assert response["Location"] == "/s/welcome/"
    draft = draft_of(code)
    assert draft.wave == wave and draft.page == 0
    cookie = response.cookies[DRAFT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/s/"
    assert cookie.value.startswith(draft.pk + ".") and ":" in cookie.value  # id + signature
    assert "max-age" not in str(cookie).lower(), "with a code, the cookie ends with the browser"
    assert not response.cookies.get("sessionid")
    page = client.get("/s/welcome/")
    assert page.status_code == 200 and data_page(page.content.decode()) == "welcome"
    # A cookie with a changed signature is worth nothing.
    client.cookies[DRAFT_COOKIE] = cookie.value[:-1] + ("A" if cookie.value[-1] != "A" else "B")
    assert data_page(client.get("/s/welcome/").content.decode()) == "gone"


def test_an_unknown_code_says_so_without_hints(client: Client, wave: Any, codes: list[str]) -> None:
    near = codes[0][:-1] + ("3" if codes[0][-1] != "3" else "4")
    response = enter(client, near)
    html = response.content.decode()
    assert response.status_code == 200
    assert data_page(html) == "start"
    assert 'role="alert"' in html and 'href="#code"' in html
    assert "Diesen Zugangscode haben wir nicht gefunden" in html
    assert 'aria-invalid="true"' in html and "code-error" in html
    assert near in html  # what was typed stays in the field
    assert not Draft.objects.exists()
    empty = enter(client, "  - ")
    assert "Bitte geben Sie den Zugangscode" in empty.content.decode()


def test_a_used_code_gives_no_way_in(client: Client, wave: Any, codes: list[str]) -> None:
    AccessCode.objects.filter(code=codes[0]).update(used=True)
    response = enter(client, printed(codes[0]))
    html = response.content.decode()
    assert data_page(html) == "used"
    assert "Mit diesem Code wurde der Fragebogen bereits ausgefüllt" in html
    assert "<form" not in html
    assert DRAFT_COOKIE not in response.cookies
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": "preparation"}, "kann man zurzeit nicht antworten"),
        ({"status": "closed"}, "kann man zurzeit nicht antworten"),
        ({"field_start": date.today() + timedelta(days=3)}, "Die Befragung beginnt am"),
        ({"field_end": date.today() - timedelta(days=1)}, "zu Ende gegangen"),
        ({"mode_web": False}, "kann nicht online beantwortet werden"),
    ],
)
def test_a_wave_not_in_the_field_is_explained(
    client: Client, wave: Any, codes: list[str], changes: dict[str, Any], words: str
) -> None:
    for key, value in changes.items():
        setattr(wave, key, value)
    wave.save()
    response = enter(client, codes[0])
    html = response.content.decode()
    assert data_page(html) == "not_in_field"
    assert words in html
    assert not Draft.objects.exists()


def test_field_ending_while_answering_stops_the_pages(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    wave.status = "closed"
    wave.save()
    services.forget_instruments()  # each process re-reads the wave within seconds anyway
    assert data_page(client.get("/s/page/1/").content.decode()) == "not_in_field"
    assert data_page(client.post("/s/review/", {"action": "submit"}).content.decode()) == (
        "not_in_field"
    )
    assert not Response.objects.exists()


def test_the_qr_link_starts_and_cleans_the_url(client: Client, wave: Any, codes: list[str]) -> None:
    response = client.get("/s/", {"code": printed(codes[1]).lower()})
    assert response.status_code == 302
    assert response["Location"] == "/s/welcome/"
    assert "code" not in response["Location"]
    assert draft_of(codes[1])
    # The same QR code again resumes the same draft.
    again = Client().get("/s/", {"code": codes[1]})
    assert again["Location"] == "/s/welcome/"
    assert Draft.objects.count() == 1
    wrong = client.get("/s/", {"code": "ZZZZZ-ZZZZZ"})
    assert wrong.status_code == 200
    assert 'value="ZZZZZ-ZZZZZ"' in wrong.content.decode()


def test_guessing_codes_is_throttled_per_client(
    client: Client, wave: Any, codes: list[str]
) -> None:
    for n in range(services.WRONG_CODE_LIMIT):
        assert enter(client, f"WRONG{n:05d}").status_code == 200
    blocked = enter(client, codes[0])
    assert blocked.status_code == 429
    assert data_page(blocked.content.decode()) == "throttled"
    assert "warten Sie bitte zehn Minuten" in blocked.content.decode()
    assert not Draft.objects.exists()
    # Another address is not affected.
    other = enter(Client(REMOTE_ADDR="192.0.2.7"), codes[0])
    assert other.status_code == 302
    # Nothing about the client reaches the database.
    assert "127.0.0.1" not in str(list(Draft.objects.values()))


# --- open link --------------------------------------------------------------------------------


def test_the_open_link_answers_without_a_code(client: Client, wave: Any) -> None:
    url = f"/s/o/{wave.open_link_token}/"
    page = client.get(url + "?lang=en")
    assert page.status_code == 200 and html_lang(page.content.decode()) == "en"
    assert not Draft.objects.exists(), "a GET (e.g. a link preview) creates nothing"
    response = client.post(url, {"language": "en"})
    assert response["Location"] == "/s/page/1/"
    draft = Draft.objects.get()
    assert draft.access_code is None and draft.language == "en"
    assert client.get(url)["Location"] == "/s/page/1/"  # same browser: resumes
    client.post("/s/page/1/", {**valid_form(wave.instrument.modules[0]), "action": "next"})
    done = client.post("/s/review/", {"action": "submit"})
    assert done["Location"] == "/s/done/?l=en"
    stored = Response.objects.get()
    assert stored.source == Response.Source.OPEN_LINK and stored.language == "en"
    assert stored.sample_district is None
    assert not Draft.objects.exists()
    # Submitting the same (gone) draft again stores nothing more.
    client.cookies[DRAFT_COOKIE] = response.cookies[DRAFT_COOKIE].value
    again = client.post("/s/review/", {"action": "submit"})
    assert data_page(again.content.decode()) == "gone"
    assert Response.objects.count() == 1


def test_the_open_link_needs_the_mode(client: Client, wave: Any) -> None:
    wave.mode_open_link = False
    wave.save()
    assert client.get(f"/s/o/{wave.open_link_token}/").status_code == 404
    assert client.get("/s/o/not-a-token/").status_code == 404


# --- language ---------------------------------------------------------------------------------


def test_language_chosen_on_the_first_page_and_switched_anywhere(
    client: Client, wave: Any, codes: list[str]
) -> None:
    enter(client, codes[0])
    welcome = client.get("/s/welcome/").content.decode()
    assert html_lang(welcome) == "de"
    assert 'value="en" lang="en"' in welcome
    client.post("/s/welcome/", {"language": "en"})
    assert draft_of(codes[0]).language == "en"
    welcome_en = client.get("/s/welcome/").content.decode()
    assert html_lang(welcome_en) == "en"
    assert escape(wave.instrument.title["en"]) in welcome_en
    client.post("/s/welcome/", {"action": "start"})

    number = module_number(wave, "XA")
    html = client.get(f"/s/page/{number}/").content.decode()
    assert html_lang(html) == "en"
    assert "Buses and trains" in html and "Do you take the bus?" in html
    assert "Next" in html
    # Switching on a page keeps what was typed on it.
    switched = client.post(f"/s/page/{number}/", {"X1": "1", "X5": "Licht", "language": "fr"})
    assert switched["Location"] == f"/s/page/{number}/"
    draft = draft_of(codes[0])
    assert draft.language == "fr" and draft.answers["X1"] == 1 and draft.answers["X5"] == "Licht"
    html = client.get(f"/s/page/{number}/").content.decode()
    assert html_lang(html) == "fr" and "Prenez-vous le bus ?" in html
    assert 'value="1" checked' in html and ">Licht</textarea>" in html


def test_the_code_page_offers_the_languages_and_passes_the_choice_on(
    client: Client, wave: Any, codes: list[str]
) -> None:
    german = client.get("/s/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert html_lang(german) == "de" and 'hreflang="en"' in german
    english = client.get("/s/?lang=en")
    assert html_lang(english.content.decode()) == "en"
    assert english.cookies["django_language"].value == "en"
    assert 'name="language" value="en"' in english.content.decode()
    client.post("/s/", {"code": codes[0], "language": "en"})
    assert draft_of(codes[0]).language == "en"
    assert html_lang(client.get("/s/welcome/").content.decode()) == "en"


# --- pages ------------------------------------------------------------------------------------


def test_every_page_in_turn_with_back_and_progress(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    modules = wave.instrument.modules
    total = len(modules) + 1
    for number, module in enumerate(modules, start=1):
        html = client.get(f"/s/page/{number}/").content.decode()
        assert f"Seite {number} von {total}" in html
        assert f'<progress max="{total}" value="{number}"' in html
        assert module.title["de"] in html
        response = client.post(f"/s/page/{number}/", {**valid_form(module), "action": "next"})
        assert response.status_code == 302
        assert draft_of(codes[0]).page == number + 1
    assert response["Location"] == "/s/review/"
    review = client.get("/s/review/").content.decode()
    assert f"Seite {total} von {total}" in review and 'value="submit"' in review
    # Back from the summary, and back from a page even with an invalid answer on it.
    assert client.post("/s/review/", {"action": "back"})["Location"] == f"/s/page/{len(modules)}/"
    last = modules[-1]
    number = len(modules)
    back = client.post(f"/s/page/{number}/", {"X6": "2", "X3_1": "77", "action": "back"})
    assert back["Location"] == f"/s/page/{number - 1}/"
    draft = draft_of(codes[0])
    assert draft.answers["X6"] == 2, "what was typed is kept when going back"
    assert "X3_1" not in draft.answers and draft.page == number - 1
    assert last.code == "XB"
    back_to_start = client.post("/s/page/1/", {"action": "back"})
    assert back_to_start["Location"] == "/s/welcome/"


def test_out_of_range_pages_go_to_the_saved_page(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    assert client.get("/s/page/0/")["Location"] == "/s/page/1/"
    assert client.get("/s/page/999/")["Location"] == "/s/page/1/"
    assert client.get("/s/continue/")["Location"] == "/s/page/1/"


def test_save_and_resume_with_the_same_code_elsewhere(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    modules = wave.instrument.modules
    client.post("/s/page/1/", {**valid_form(modules[0]), "action": "next"})
    number = module_number(wave, "XA")
    saved = client.post(
        f"/s/page/{number}/", {"X1": "1", "X2": "12", "X4": ["X4_2"], "action": "save"}
    )
    assert saved["Location"].startswith("/s/saved/")
    assert saved.cookies[DRAFT_COOKIE].value == ""  # the cookie is gone on this device
    page = client.get(saved["Location"]).content.decode()
    assert data_page(page) == "saved" and "demselben Zugangscode" in page

    other_device = Client(HTTP_ACCEPT_LANGUAGE="de")
    resumed = enter(other_device, printed(codes[0]).lower())
    assert resumed["Location"] == f"/s/page/{number}/"
    html = other_device.get(resumed["Location"]).content.decode()
    assert 'name="X1" value="1" checked' in html
    assert 'value="12"' in html
    assert 'value="X4_2" checked' in html and 'value="X4_1" checked' not in html
    first = other_device.get("/s/page/1/").content.decode()
    assert first.count(" checked") >= 1, "earlier pages keep their answers too"
    assert Draft.objects.count() == 1


def test_filters_across_pages_and_within_a_page(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    client.post("/s/welcome/", {"language": "en"})
    xa, xb = module_number(wave, "XA"), module_number(wave, "XB")
    page = client.get(f"/s/page/{xa}/").content.decode()
    # Same page: shown, with its filter in words.
    assert 'name="X2"' in page
    assert "Only if you answered “yes” to “Do you take the bus?”:" in page
    assert 'aria-describedby="X2-unit X2-filter"' in page
    # "No", and a number anyway: the filter drops it.
    client.post(f"/s/page/{xa}/", {"X1": "2", "X2": "5", "action": "next"})
    assert "X2" not in draft_of(codes[0]).answers
    # Earlier page: X3 depends on X1 and is not shown at all.
    page = client.get(f"/s/page/{xb}/").content.decode()
    assert 'name="X3_1"' not in page and 'name="X6"' in page
    client.post(f"/s/page/{xb}/", {"X3_1": "1", "X6": "1", "action": "next"})
    assert "X3_1" not in draft_of(codes[0]).answers
    # "Yes": both appear.
    client.post(f"/s/page/{xa}/", {"X1": "1", "X2": "5", "action": "next"})
    assert draft_of(codes[0]).answers["X2"] == 5
    page = client.get(f"/s/page/{xb}/").content.decode()
    assert 'name="X3_1"' in page and "Only if" not in page
    client.post(f"/s/page/{xb}/", {"X3_1": "1", "X3_2": "9", "X6": "1", "action": "next"})
    # Changing X1 back to "no" later removes X2 and X3 from what is stored.
    client.post(f"/s/page/{xa}/", {"X1": "2", "action": "next"})
    draft = draft_of(codes[0])
    final = services.final_answers(wave.instrument, draft.answers)
    assert "X3_1" not in final and "X2" not in final and final["X6"] == 1
    client.post("/s/review/", {"action": "submit"})
    stored = Response.objects.get().answers
    assert "X3_1" not in stored and "X3_2" not in stored and stored["X1"] == 2


def test_validation_errors_are_shown_linked_and_keep_what_was_typed(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    client.post("/s/welcome/", {"language": "en"})
    number = module_number(wave, "XA")
    response = client.post(
        f"/s/page/{number}/",
        {"X1": "1", "X2": "99", "X4": ["X4_1", "BOGUS"], "X5": "kept", "action": "next"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html_lang(html) == "en"
    assert "<title>Error:" in html
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S)
    assert summary
    assert 'href="#f-X2"' in summary.group(0) and 'href="#f-X4-X4_1"' in summary.group(0)
    assert "at most 31" in html
    assert 'id="X2-error"' in html and "X2-error" in re.search(
        r'<input[^>]*name="X2"[^>]*>', html
    ).group(0)
    assert 'aria-describedby="X4-note X4-error"' in html
    assert 'value="99"' in html and ">kept</textarea>" in html
    assert 'name="X1" value="1" checked' in html
    assert 'value="X4_1" checked' in html
    draft = draft_of(codes[0])
    assert draft.page == number, "an error keeps the respondent on the page"
    assert draft.answers["X1"] == 1 and draft.answers["X5"] == "kept"
    assert "X2" not in draft.answers
    # A grid error is shown in its row, the radios point at it.
    xb = module_number(wave, "XB")
    grid = client.post(f"/s/page/{xb}/", {"X3_1": "5", "action": "next"}).content.decode()
    assert 'id="X3_1-error"' in grid and 'aria-describedby="X3_1-error"' in grid
    assert 'href="#f-X3_1-1"' in grid


def test_answering_nothing_is_allowed(client: Client, wave: Any, codes: list[str]) -> None:
    started(client, codes[0])
    for number in range(1, len(wave.instrument.modules) + 1):
        assert client.post(f"/s/page/{number}/", {"action": "next"}).status_code == 302
    assert "Keine Antwort" in client.get("/s/review/").content.decode()
    client.post("/s/review/", {"action": "submit"})
    assert Response.objects.get().answers == {}


# --- completion -------------------------------------------------------------------------------


def test_completion_stores_one_anonymous_response(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    for number, module in enumerate(wave.instrument.modules, start=1):
        client.post(f"/s/page/{number}/", {**valid_form(module), "action": "next"})
    answers = draft_of(codes[0]).answers
    review = client.get("/s/review/").content.decode()
    assert "Mehr Licht am Bahnhof" in review and "Altstadt" in review

    response = client.post("/s/review/", {"action": "submit"})
    assert response["Location"] == "/s/done/?l=de"
    assert response.cookies[DRAFT_COOKIE].value == ""
    done = client.get(response["Location"]).content.decode()
    assert data_page(done) == "done" and "<form" not in done
    # The browser's Back button now thanks again instead of saying "not found".
    back = client.get("/s/review/").content.decode()
    assert data_page(back) == "done" and "<form" not in back

    stored = Response.objects.get()
    assert stored.answers == services.final_answers(wave.instrument, answers)
    assert stored.answers["X5"] == "Mehr Licht am Bahnhof" and stored.answers["X4_1"] == 1
    assert set(stored.answers) <= {item.code for item in wave.instrument.items}
    assert stored.mode == "web" and stored.source == "sample" and stored.language == "de"
    assert stored.completed_on == timezone.localdate()
    # Nothing that identifies: no code, no address, no IP, no time of day.
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {
        "id", "wave", "instrument_version", "mode", "source", "language", "completed_on",
        "sample_district", "answers",
    }  # fmt: skip
    flat = str(stored.answers) + str(Response.objects.values().get())
    assert codes[0] not in flat and printed(codes[0]) not in flat and "127.0.0.1" not in flat
    assert not re.search(r"\d\d:\d\d", flat)

    code = AccessCode.objects.get(code=codes[0])
    assert code.used  # and nothing else: no day, no mode
    assert {f.name for f in AccessCode._meta.concrete_fields} == {
        "id",
        "wave",
        "code",
        "district",
        "used",
    }
    assert not Draft.objects.exists()
    # The code is refused from now on, from any client.
    again = enter(Client(), printed(codes[0]))
    assert data_page(again.content.decode()) == "used"
    # The old cookie cannot submit again either.
    assert Response.objects.count() == 1


def test_a_submission_after_the_code_was_used_elsewhere(
    client: Client, wave: Any, codes: list[str]
) -> None:
    started(client, codes[0])
    other = Client()
    enter(other, codes[0])
    other.post("/s/review/", {"action": "submit"})
    late = client.post("/s/review/", {"action": "submit"})
    assert data_page(late.content.decode()) == "used"
    assert Response.objects.count() == 1


# --- tampering --------------------------------------------------------------------------------


def test_missing_csrf_token_is_a_friendly_refusal(wave: Any, codes: list[str]) -> None:
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/s/", {"code": codes[0]})
    assert refused.status_code == 403
    assert data_page(refused.content.decode()) == "expired"
    form = strict.get("/s/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    accepted = strict.post("/s/", {"code": codes[0], "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    page = strict.post("/s/welcome/", {"action": "start"})
    assert page.status_code == 403 and not Draft.objects.filter(page=1).exists()


def test_tampered_requests_never_fail_badly(client: Client, wave: Any, codes: list[str]) -> None:
    # No draft, or a forged cookie.
    assert data_page(client.get("/s/page/1/").content.decode()) == "gone"
    client.cookies[DRAFT_COOKIE] = "forged:value"
    assert data_page(client.post("/s/review/", {"action": "submit"}).content.decode()) == "gone"
    started(client, codes[0])
    number = module_number(wave, "XA")
    cases = [
        {"X1": "1" * 5000},
        {"X2": "9" * 100_000},
        {"X2": "1e5"},
        {"X5": "x" * 5000},
        {"X5": "a\x00b"},
        {"X4": ["X4_1"] * 500},
        {"unknown": "1", "X1": ["1", "2"]},
        {"language": "xx", "action": "nonsense"},
    ]
    for data in cases:
        response = client.post(f"/s/page/{number}/", data)
        assert response.status_code in (200, 302), data
    answers = draft_of(codes[0]).answers
    assert "unknown" not in answers
    assert all("\x00" not in str(v) for v in answers.values())
    assert client.put("/s/page/1/").status_code == 405
    assert client.get("/s/done/?l=zz").status_code == 200


# --- speed ------------------------------------------------------------------------------------


def test_pages_need_one_query_and_little_time(
    client: Client,
    wave: Any,
    codes: list[str],
    django_assert_max_num_queries: Any,
) -> None:
    started(client, codes[0])
    modules = wave.instrument.modules
    grid_page = next(
        i for i, m in enumerate(modules, start=1) if any(q.kind == "grid" for q in m.questions)
    )
    client.get(f"/s/page/{grid_page}/")  # warm the per-process caches
    with django_assert_max_num_queries(1):
        client.get(f"/s/page/{grid_page}/")
    form = {**valid_form(modules[grid_page - 1]), "action": "next"}
    with django_assert_max_num_queries(2):
        client.post(f"/s/page/{grid_page}/", form)
    timings = []
    for _ in range(30):
        began = time.perf_counter()
        client.get(f"/s/page/{grid_page}/")
        timings.append(time.perf_counter() - began)
    timings.sort()
    median_ms = timings[len(timings) // 2] * 1000
    print(f"grid page GET: median {median_ms:.1f} ms, max {timings[-1] * 1000:.1f} ms")
    assert median_ms < 50
