"""Arbitrary form data against the page and final-submit views: never a 500, never bad data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from defus.fieldwork.models import AccessCode, Draft, Response
from defus.fieldwork.services.codes import new_code
from defus.instrument.answers import AnswerError, clean_value

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
likely = st.sampled_from(
    [
        *("1", "2", "3", "5", "8", "9", "-9", "-8", "0", "", " 7 ", "1.5", "1e3", "X4_1", "X4_2"),
        *("submit", "next", "back", "save", "en", "fr", "de", "xx"),
    ]
)
huge = st.sampled_from(["9" * 50, "x" * 1500, "\x00", "1\x00", "٣", "²"])
value = st.one_of(likely, text, huge, st.integers(-(10**12), 10**12).map(str))
values = st.lists(value, min_size=1, max_size=3)


def field_names(wave: Any) -> list[str]:
    names = ["action", "language", "csrfmiddlewaretoken", "unknown"]
    for question in wave.instrument.questions:
        names.append(question.code)
        names.extend(item.code for item in question.items)
    return names


def fresh_respondent(wave: Any) -> tuple[Client, str]:
    code = new_code()
    AccessCode.objects.create(wave=wave, code=code)
    client = Client()
    assert client.post("/s/", {"code": code}).status_code == 302
    client.post("/s/welcome/", {"action": "start"})
    return client, code


def assert_only_valid(wave: Any, answers: dict[str, Any]) -> None:
    instrument = wave.instrument
    for key, stored in answers.items():
        assert key in instrument.item_index, key
        item = instrument.item(key)
        try:
            assert clean_value(item, stored) == stored, (key, stored)
        except AnswerError as error:  # pragma: no cover - the assertion message says it
            raise AssertionError(f"{key}={stored!r} stored although invalid: {error}") from None
        if isinstance(stored, str):
            assert "\x00" not in stored


@pytest.mark.django_db
def test_arbitrary_page_posts(wave: Any) -> None:
    names = field_names(wave)
    pages = len(wave.instrument.modules)

    @SETTINGS
    @given(
        number=st.integers(min_value=0, max_value=pages + 2),
        data=st.dictionaries(st.one_of(st.sampled_from(names), text), values, max_size=12),
    )
    def check(number: int, data: dict[str, list[str]]) -> None:
        client, code = fresh_respondent(wave)
        response = client.post(f"/s/page/{number}/", data)
        assert response.status_code in (200, 302), response.status_code
        draft = Draft.objects.get(access_code__code=code)
        assert_only_valid(wave, draft.answers)
        assert 0 <= draft.page <= pages + 1
        assert draft.language in wave.instrument.languages

    check()


@pytest.mark.django_db
def test_arbitrary_final_submissions(wave: Any) -> None:
    names = field_names(wave)
    modules = wave.instrument.modules
    submissions: list[int] = []

    @settings(SETTINGS, max_examples=30)
    @given(
        page_data=st.dictionaries(st.sampled_from(names), values, max_size=12),
        final_data=st.dictionaries(st.one_of(st.sampled_from(names), text), values, max_size=6),
        number=st.integers(min_value=1, max_value=len(modules)),
        submit=st.booleans(),
    )
    def check(
        page_data: dict[str, Any], final_data: dict[str, Any], number: int, submit: bool
    ) -> None:
        if submit:
            final_data = {**final_data, "action": ["submit"]}
            final_data.pop("language", None)
        before = Response.objects.count()
        client, code = fresh_respondent(wave)
        client.post(f"/s/page/{number}/", page_data)
        response = client.post("/s/review/", final_data)
        assert response.status_code in (200, 302), response.status_code
        if final_data.get("action", [None])[-1] == "submit" and "language" not in final_data:
            submissions.append(1)
            assert Response.objects.count() == before + 1
            assert AccessCode.objects.get(code=code).used
        for stored in Response.objects.all():
            assert_only_valid(wave, stored.answers)

    check()
    assert submissions, "no example reached the final submission"
