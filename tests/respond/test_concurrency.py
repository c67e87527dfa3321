"""Many respondents at once, over real HTTP against the live server (SQLite and PostgreSQL).

Each simulated respondent is a thread with its own cookie jar, so it carries its own CSRF and
draft cookies, exactly like separate browsers.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from defus.fieldwork.models import AccessCode, Draft, Response

from .conftest import make_wave, printed, valid_form

pytestmark = pytest.mark.django_db(transaction=True)


class Respondent:
    """A browser of one's own: cookies, CSRF token, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(self.base + path, data=body.encode(), method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._open(request)


def page_of(body: str) -> str:
    match = re.search(r'data-page="([^"]*)"', body)
    return match.group(1) if match else "?"


def test_twenty_simultaneous_submissions_with_one_code(live_server: Any, org_a: Any) -> None:
    _wave, codes = make_wave(org_a, codes=1)
    code = printed(codes[0]).lower()
    respondents = [Respondent(live_server.url) for _ in range(20)]
    barrier = threading.Barrier(len(respondents), timeout=60)

    def run(respondent: Respondent) -> tuple[int, str]:
        respondent.get("/s/")
        status, body = respondent.post("/s/", {"code": code})
        assert status == 200 and page_of(body) == "welcome", (status, page_of(body))
        barrier.wait()
        status, body = respondent.post("/s/review/", {"action": "submit"})
        return status, page_of(body)

    with ThreadPoolExecutor(max_workers=len(respondents)) as pool:
        results = list(pool.map(run, respondents))

    assert all(status < 500 for status, _page in results), results
    pages = sorted(page for _status, page in results)
    assert pages.count("done") == 1, pages
    assert pages.count("used") == 19, pages
    assert Response.objects.count() == 1
    assert AccessCode.objects.get().used
    assert not Draft.objects.exists()


def test_two_hundred_respondents_at_once(live_server: Any, org_a: Any) -> None:
    wave, codes = make_wave(org_a, codes=200)
    first = wave.instrument.modules[0]
    answers = valid_form(first)

    def run(code: str) -> tuple[int, str]:
        respondent = Respondent(live_server.url)
        respondent.get("/s/")
        status, body = respondent.post("/s/", {"code": printed(code)})
        if page_of(body) != "welcome":
            return status, page_of(body)
        respondent.post("/s/welcome/", {"action": "start"})
        status, body = respondent.post("/s/page/1/", {**answers, "action": "next"})
        if status >= 400:
            return status, page_of(body)
        status, body = respondent.post("/s/review/", {"action": "submit"})
        return status, page_of(body)

    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(pool.map(run, codes))

    failures = [r for r in results if r != (200, "done")]
    assert not failures, failures[:5]
    assert Response.objects.count() == 200
    assert AccessCode.objects.filter(used=False).count() == 0
    assert not Draft.objects.exists()
    some = next(iter(answers))
    assert all(str(r.answers.get(some)) == str(answers[some]) for r in Response.objects.all())
