"""The instrument pages: for any logged-in person, a login redirect for anonymous visitors."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import make_person

pytestmark = pytest.mark.django_db

KEY, VERSION = "defus-monitor", "2026.1"


def _urls() -> list[str]:
    args = {"key": KEY, "version": VERSION}
    return [
        reverse("instrument:list"),
        reverse("instrument:detail", kwargs=args),
        reverse("instrument:codebook", kwargs=args),
        reverse("instrument:codebook_csv", kwargs=args),
        reverse("instrument:paper", kwargs={**args, "language": "en"}),
    ]


def test_anonymous_visitors_are_sent_to_login(client):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


@pytest.fixture
def person(client):
    user = make_person("someone@city.example")  # no organisation needed
    client.force_login(user)
    return user


def test_list_links_to_everything(client, person):
    response = client.get(reverse("instrument:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for url in _urls()[1:]:
        assert url in html, url
    for language in ("de", "fr"):
        assert (
            reverse(
                "instrument:paper", kwargs={"key": KEY, "version": VERSION, "language": language}
            )
            in html
        )
    assert "defus-monitor-2026.1" in html


def test_overview_in_the_chosen_language(client, person):
    url = reverse("instrument:detail", kwargs={"key": KEY, "version": VERSION})
    html = client.get(url, {"language": "en"}).content.decode()
    assert "How old are you?" in html
    assert "A2_03" in html and "playgrounds" in html
    assert "If you answered “yes” (1) to question K1" in html
    assert 'id="scale-safe5_place"' in html
    german = client.get(url, {"language": "de"}).content.decode()
    assert "Wie alt sind Sie?" in german
    # An unknown language is no error: the page falls back to one the instrument has.
    assert client.get(url, {"language": "<xx>"}).status_code == 200


def test_codebook_page_and_downloads(client, person):
    args = {"key": KEY, "version": VERSION}
    page = client.get(reverse("instrument:codebook", kwargs=args), {"language": "fr"})
    assert page.status_code == 200
    assert 'id="var-D10"' in page.content.decode()
    download = client.get(
        reverse("instrument:codebook", kwargs=args), {"language": "en", "download": "1"}
    )
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.decode().startswith("<!doctype html>")
    response = client.get(reverse("instrument:codebook_csv", kwargs=args), {"language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert any(r["variable"] == "V2_06" for r in rows)
    assert any(r["value_label"] == "no answer" for r in rows)


def test_paper_pdf(client, person):
    url = reverse("instrument:paper", kwargs={"key": KEY, "version": VERSION, "language": "de"})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_unknown_versions_and_languages_are_404(client, person):
    assert (
        client.get(
            reverse("instrument:detail", kwargs={"key": KEY, "version": "1999.1"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("instrument:detail", kwargs={"key": "other", "version": VERSION})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("instrument:paper", kwargs={"key": KEY, "version": VERSION, "language": "it"})
        ).status_code
        == 404
    )
