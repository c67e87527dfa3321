"""Paper entry: single entry, validation, filters, double entry with comparison, permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from defus.fieldwork.models import AccessCode, PaperEntry, Response
from defus.fieldwork.services import paper
from tests.conftest import make_person
from tests.fieldwork.test_paper_helpers import make_code, make_wave, wave, wave_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
__all__ = ["wave"]  # the fixture, imported for pytest


def sheet_form(sheet: str, *, code: str = "", language: str = "de", double: bool = False, **items):
    data = {"sheet": sheet, "access_code": code, "language": language}
    if double:
        data["double"] = "1"
    data.update({f"i_{key}": str(value) for key, value in items.items()})
    return data


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a)
    return client


def test_the_form_has_one_numeric_field_per_item_in_order(admin_client, wave):
    response = admin_client.get(wave_url(wave, "paper_entry"))
    assert response.status_code == 200
    html = response.content.decode()
    positions = []
    for item in wave.instrument.items:
        marker = f'name="i_{item.code}"'
        assert marker in html, item.code
        positions.append(html.index(marker))
        assert f'for="f-i_{item.code}"' in html
    assert positions == sorted(positions)
    # Numeric keyboard for codes and numbers, a plain text field for open answers.
    x4 = html[html.index('name="i_X4"') - 200 : html.index('name="i_X4"') + 200]
    assert 'inputmode="numeric"' in x4
    x3 = html[html.index('name="i_X3"') : html.index('name="i_X3"') + 200]
    assert 'inputmode="numeric"' not in x3
    for module in wave.instrument.modules:
        assert f"<legend>{module.code} – " in html


def test_single_entry_stores_a_response_and_uses_the_code(admin_client, wave):
    code = make_code(wave, "ABCDEFGHJK", answer_code=3)
    response = admin_client.post(
        wave_url(wave, "paper_entry"),
        sheet_form("17", code="abcde-fghjk", language="fr", X1="1", X2_A="1", X3=" Bahnhof ", X4=4),
    )
    assert response.status_code == 302
    stored = Response.objects.get(wave=wave)
    assert stored.mode == "paper"
    assert stored.source == "sample"
    assert stored.language == "fr"
    assert stored.sample_district == wave.districts.get(answer_code=3)
    # A ticked box makes the other boxes of the question "not ticked", as on the web.
    assert stored.answers == {"X1": 1, "X2_A": 1, "X2_B": 0, "X2_C": 0, "X3": "Bahnhof", "X4": 4}
    code.refresh_from_db()
    assert code.used
    # Nothing stored next to the answers knows the code.
    assert "ABCDEFGHJK" not in json.dumps(stored.answers)
    assert not any("code" in f.name for f in Response._meta.get_fields())
    entry = PaperEntry.objects.get(wave=wave, sheet="17")
    assert entry.committed and entry.round == 1
    assert "ABCDEFGHJK" not in json.dumps(entry.answers)
    page = admin_client.get(wave_url(wave, "paper_entry"))
    assert "Sheet 17 stored." in page.content.decode()


def test_without_a_code_the_sheet_still_counts_as_sample(admin_client, wave):
    admin_client.post(wave_url(wave, "paper_entry"), sheet_form("5", X1="2"))
    stored = Response.objects.get(wave=wave)
    assert stored.source == "sample" and stored.sample_district is None
    assert stored.answers == {"X1": 2}


def test_invalid_values_are_reported_and_kept(admin_client, wave):
    response = admin_client.post(
        wave_url(wave, "paper_entry"),
        sheet_form("", X1="7", X4="abc", X2_A="2", X3="ok"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please enter the sheet number" in html
    assert "This is not one of the answers offered." in html
    assert "Please enter a whole number." in html
    assert "Tick the box or leave it empty." in html
    # What was typed is kept in the fields, and each error is tied to its field.
    assert 'name="i_X1" value="7"' in html
    assert 'name="i_X4" value="abc"' in html
    assert 'name="i_X3" value="ok"' in html
    assert 'aria-describedby="h-i_X1 e-i_X1"' in html
    assert 'id="e-i_X1"' in html
    assert 'href="#f-i_X4"' in html  # the summary links to the field
    assert not Response.objects.exists() and not PaperEntry.objects.exists()


def test_number_out_of_range(admin_client, wave):
    response = admin_client.post(wave_url(wave, "paper_entry"), sheet_form("9", X4="100"))
    assert response.status_code == 400
    assert "at most 99" in response.content.decode()


def test_values_of_filtered_questions_are_left_out_with_a_warning(admin_client, wave):
    response = admin_client.post(
        wave_url(wave, "paper_entry"), sheet_form("21", X1="2", X2_B="1", X3="Park"), follow=True
    )
    html = response.content.decode()
    assert "filter does not apply" in html and "X2_B" in html and "X3" in html
    stored = Response.objects.get(wave=wave)
    assert stored.answers == {"X1": 2}


def test_a_used_code_is_refused_clearly(admin_client, wave):
    code = make_code(wave, "KJHGFEDCBA")
    from defus.fieldwork.services.responses import record_response

    record_response(wave, {"X1": 1}, mode="web", language="de", access_code=code)
    response = admin_client.post(
        wave_url(wave, "paper_entry"), sheet_form("30", code="KJHGF-EDCBA", X1="2")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "KJHGF-EDCBA has already been used" in html
    assert 'name="i_X1" value="2"' in html
    assert Response.objects.count() == 1
    assert not PaperEntry.objects.exists()


def test_an_unknown_code_is_refused(admin_client, wave, org_a):
    other = make_wave(org_a, "musterstadt-2027")
    make_code(other, "MNPQRTWXY3")  # a code of another wave does not count
    response = admin_client.post(
        wave_url(wave, "paper_entry"), sheet_form("31", code="MNPQRTWXY3", X1="2")
    )
    assert response.status_code == 409
    assert "There is no access code MNPQR-TWXY3 in this survey wave" in response.content.decode()
    assert not Response.objects.exists()


def test_a_sheet_cannot_be_committed_twice(admin_client, wave):
    url = wave_url(wave, "paper_entry")
    assert admin_client.post(url, sheet_form("40", X1="1")).status_code == 302
    again = admin_client.post(url, sheet_form("40", X1="2"))
    assert again.status_code == 409
    assert "Sheet 40 has already been entered and stored." in again.content.decode()
    again_double = admin_client.post(url, sheet_form("40", X1="2", double=True))
    assert again_double.status_code == 409
    assert Response.objects.count() == 1


def test_bad_sheet_numbers(admin_client, wave):
    response = admin_client.post(wave_url(wave, "paper_entry"), sheet_form("4/5", X1="1"))
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_double_entry_compares_and_commits_once_resolved(client, wave, admin_a, org_a):
    second_person = make_person("clerk@musterstadt.example", org_a, "admin")
    code = make_code(wave, "3467989ABC", answer_code=1)
    url = wave_url(wave, "paper_entry")

    client.force_login(admin_a)
    first = client.post(
        url, sheet_form("101", code="3467989ABC", double=True, X1="1", X2_A="1", X4="12")
    )
    assert first.status_code == 302
    assert not Response.objects.exists()
    entry = PaperEntry.objects.get(wave=wave, sheet="101")
    assert entry.round == 1 and not entry.committed
    assert entry.sample_district == wave.districts.get(answer_code=1)
    code.refresh_from_db()
    assert code.used  # no reminder while the sheet waits for its second entry
    # The first entry is remembered as waiting.
    waiting = client.get(wave_url(wave, "paper_differences")).content.decode()
    assert "Sheets waiting for their second entry" in waiting and "101" in waiting

    client.force_login(second_person)
    second = client.post(
        url,
        sheet_form("101", code="3467989ABC", language="en", X1="1", X2_A="1", X4="21"),
        follow=True,
    )
    assert "the two entries differ in 2 values" in second.content.decode()
    assert not Response.objects.exists()

    listing = client.get(wave_url(wave, "paper_differences")).content.decode()
    assert "Sheet 101: resolve" in listing
    assert "<td>X4</td>" in listing and "<td>12</td>" in listing and "<td>21</td>" in listing
    assert "<td>de</td>" in listing and "<td>en</td>" in listing

    sheet_url = wave_url(wave, "paper_sheet", sheet="101")
    incomplete = client.post(sheet_url, {"action": "resolve", "pick-X4": "2"})
    assert incomplete.status_code == 400
    assert "Please choose the correct value." in incomplete.content.decode()
    assert not Response.objects.exists()

    done = client.post(sheet_url, {"action": "resolve", "pick-X4": "1", "pick-language": "2"})
    assert done.status_code == 302
    stored = Response.objects.get(wave=wave)
    assert stored.answers == {"X1": 1, "X2_A": 1, "X2_B": 0, "X2_C": 0, "X4": 12}
    assert stored.language == "en"
    assert stored.sample_district == wave.districts.get(answer_code=1)
    assert stored.mode == "paper" and stored.source == "sample"
    assert PaperEntry.objects.filter(wave=wave, sheet="101", committed=True).count() == 2
    # Resolving again, or entering the sheet again, stores nothing more.
    assert client.post(sheet_url, {"action": "resolve", "pick-X4": "1"}).status_code == 404
    assert client.post(url, sheet_form("101", X1="1")).status_code == 409
    assert Response.objects.count() == 1


def test_double_entry_with_another_typed_value(admin_client, wave):
    url = wave_url(wave, "paper_entry")
    admin_client.post(url, sheet_form("7", double=True, X1="1", X4="5"))
    admin_client.post(url, sheet_form("7", X1="1", X4="6"))
    sheet_url = wave_url(wave, "paper_sheet", sheet="7")
    bad = admin_client.post(sheet_url, {"action": "resolve", "pick-X4": "other", "other-X4": "x"})
    assert bad.status_code == 400
    assert "Please enter a whole number." in bad.content.decode()
    # Typing into the "other" field is enough, without ticking its radio button.
    admin_client.post(sheet_url, {"action": "resolve", "other-X4": "56"})
    assert Response.objects.get(wave=wave).answers == {"X1": 1, "X4": 56}


def test_identical_entries_are_committed_at_once(admin_client, wave):
    url = wave_url(wave, "paper_entry")
    admin_client.post(url, sheet_form("8", double=True, X1="2", X4="3"))
    assert not Response.objects.exists()
    page = admin_client.post(url, sheet_form("8", double=True, X1="2", X4="3"), follow=True)
    assert "Sheet 8 stored." in page.content.decode()
    assert Response.objects.get(wave=wave).answers == {"X1": 2, "X4": 3}
    assert set(PaperEntry.objects.values_list("round", "committed")) == {(1, True), (2, True)}


def test_a_third_entry_is_refused_and_entries_can_be_discarded(admin_client, wave):
    url = wave_url(wave, "paper_entry")
    admin_client.post(url, sheet_form("9", double=True, X1="2"))
    admin_client.post(url, sheet_form("9", X1="1"))
    third = admin_client.post(url, sheet_form("9", X1="1"))
    assert third.status_code == 409
    assert "entered twice already" in third.content.decode()
    sheet_url = wave_url(wave, "paper_sheet", sheet="9")
    admin_client.post(sheet_url, {"action": "discard-2"})
    assert list(PaperEntry.objects.values_list("round", flat=True)) == [1]
    admin_client.post(url, sheet_form("9", X1="2"))  # typed again: agrees now
    assert Response.objects.get(wave=wave).answers == {"X1": 2}


def test_the_double_entry_choice_is_remembered(admin_client, wave):
    url = wave_url(wave, "paper_entry")
    admin_client.post(url, sheet_form("1", double=True, X1="2"))
    assert 'id="f-double" name="double" value="1" checked' in admin_client.get(url).content.decode()


def test_service_keeps_double_entry_apart_from_the_code(wave):
    """A second entry may supply the code the first entry left out."""
    code = make_code(wave, "WXY3467989", answer_code=2)
    instrument = wave.instrument
    first = paper.clean_sheet(instrument, sheet_form("55", X1="2"))
    assert paper.save_sheet(wave, first, double=True).outcome == paper.Outcome.FIRST_ENTRY
    second = paper.clean_sheet(instrument, sheet_form("55", code="WXY3467989", X1="2"))
    result = paper.save_sheet(wave, second, double=True)
    assert result.outcome == paper.Outcome.COMMITTED
    assert result.response is not None
    assert result.response.sample_district == wave.districts.get(answer_code=2)
    assert AccessCode.objects.get(pk=code.pk).used


def test_service_drop_not_asked():
    from defus.instrument.definition import standard_instrument

    instrument = standard_instrument()
    kept, dropped = paper.drop_not_asked(instrument, {})
    assert kept == {} and dropped == []
    assert paper.value_hint(instrument.items[0])  # something to show next to every field


def test_compact_codes():
    assert paper._compact_codes([1, 2, 3, 4, 5, 8]) == "1–5, 8"
    assert paper._compact_codes([2]) == "2"
    assert paper.sheet_sort_key("2") < paper.sheet_sort_key("10")


# --- permissions --------------------------------------------------------------------------------

PAPER_URLS = ["paper_entry", "paper_differences"]


def _all_urls(wave: Any) -> list[str]:
    PaperEntry.objects.create(wave=wave, sheet="77", round=1, answers={"X1": 1})
    return [
        wave_url(wave, "paper_entry"),
        wave_url(wave, "paper_differences"),
        wave_url(wave, "paper_sheet", sheet="77"),
        wave_url(wave, "data_export"),
        wave_url(wave, "data_import"),
    ]


def test_another_organisations_admin_gets_404_everywhere(client, wave, admin_b, org_b):
    client.force_login(admin_b)
    for url in _all_urls(wave):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"sheet": "1", "language": "de"}).status_code == 404, url
    # Nor can their own organisation's URL reach this wave.
    for name in ("paper_entry", "data_export", "data_import"):
        url = wave_url(wave, name).replace("/o/musterstadt/", "/o/beispielburg/")
        assert client.get(url).status_code == 404, url


def test_an_analyst_can_export_but_not_enter_paper(client, wave, analyst_a):
    client.force_login(analyst_a)
    urls = _all_urls(wave)
    for url in urls[:3]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, sheet_form("3", X1="1")).status_code == 403, url
    assert not Response.objects.exists()
    for url in urls[3:]:
        assert client.get(url).status_code == 200, url


def test_a_member_gets_403_everywhere(client, wave, member_a):
    client.force_login(member_a)
    for url in _all_urls(wave):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client, wave):
    response = client.get(wave_url(wave, "paper_entry"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_wave_snippet_shows_what_each_role_may_do(wave, admin_a, analyst_a, member_a):
    def render(user: Any) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "fieldwork/_wave_data_actions.html", {"wave": wave}, request=request
        )

    admin_html = render(admin_a)
    assert wave_url(wave, "paper_entry") in admin_html
    assert wave_url(wave, "data_export") in admin_html
    analyst_html = render(analyst_a)
    assert wave_url(wave, "paper_entry") not in analyst_html
    assert wave_url(wave, "data_export") in analyst_html
    assert wave_url(wave, "data_import") in analyst_html
    assert render(member_a).strip() == ""
