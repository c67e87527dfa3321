"""The questionnaire in a real Chromium: keyboard only on a phone, and axe-core on every page.

Set DEFUS_SCREENSHOTS=<folder> to keep screenshots of a grid page (phone and desktop).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from defus.fieldwork.models import AccessCode, Draft, Response
from tests.support import check_axe

from .conftest import make_wave, printed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

ACTIVE = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
          value: e.value || '', id: e.id || '', checked: !!e.checked,
          min: e.min || '', hidden: e.getAttribute('aria-hidden') === 'true',
          groupChecked: e.type === 'radio' && e.form
            ? !!e.form.querySelector('input[type=radio][name="' + e.name + '"]:checked') : false};
}"""


def press_and_wait(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def data_page(page: Any) -> str:
    return str(page.evaluate("document.body.dataset.page"))


def tab_until(page: Any, wanted: Any, act: Any = None, limit: int = 300) -> dict[str, Any]:
    """Press Tab until `wanted(element)`; `act(element)` may type into what passes by."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = page.evaluate(ACTIVE)
        if wanted(element):
            return element
        if act is not None:
            act(element)
    raise AssertionError("never reached the wanted element with Tab")


def answer_with_keyboard(page: Any, element: dict[str, Any]) -> None:
    """Answer whatever has the focus: Space for radio groups and the first checkbox, typing."""
    if element["tag"] == "input" and element["type"] == "radio" and not element["groupChecked"]:
        page.keyboard.press("Space")
    elif element["tag"] == "input" and element["type"] == "checkbox" and not element["checked"]:
        if element["value"].endswith(("_1", "_01")) or element["id"].endswith("-1"):
            page.keyboard.press("Space")
    elif element["tag"] == "input" and element["type"] == "number":
        page.keyboard.press("Control+a")
        page.keyboard.type(element["min"] if element["min"] not in ("", "0") else "30")
    elif element["tag"] == "textarea":
        page.keyboard.press("Control+a")
        page.keyboard.type("Mehr Licht am Bahnhof")


TAMPER = """() => {
  const form = document.getElementById('answers');
  const radio = form.querySelector('input[type=radio]');
  if (radio) { radio.value = '99'; radio.checked = true; return 'radio'; }
  const number = form.querySelector('input[type=number]');
  if (number) { number.value = '999999'; return 'number'; }
  const box = form.querySelector('input[type=checkbox]');
  if (box) { box.value = 'NOPE'; box.checked = true; return 'checkbox'; }
  const text = form.querySelector('textarea');
  if (text) { text.removeAttribute('maxlength'); text.value = 'x'.repeat(1200); return 'text'; }
  return '';
}"""


def test_keyboard_only_on_a_phone_with_axe(page: Any, live_server: Any, org_a: Any) -> None:
    wave, codes = make_wave(org_a)
    modules = wave.instrument.modules
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/s/")
    assert data_page(page) == "start"
    check_axe(page, "code page")

    # An unknown code first: the error page must be accessible too.
    tab_until(page, lambda e: e["id"] == "code")
    page.keyboard.type("AAAAA-AAAAA")
    press_and_wait(page)
    assert data_page(page) == "start"
    assert page.locator(".error-summary").count() == 1
    check_axe(page, "code page with an error")

    tab_until(page, lambda e: e["id"] == "code")
    page.keyboard.press("Control+a")
    page.keyboard.type(printed(codes[0]).lower())
    press_and_wait(page)
    assert data_page(page) == "welcome"
    check_axe(page, "welcome page")
    tab_until(page, lambda e: e["tag"] == "button" and e["value"] == "start")
    press_and_wait(page)

    for number, module in enumerate(modules, start=1):
        assert data_page(page) == f"page-{number}", module.code
        check_axe(page, f"page {number} ({module.code})")
        # The same page with a validation error (a value that is not offered).
        if page.evaluate(TAMPER):
            with page.expect_navigation():
                page.locator("main button[value=next]").click()
            assert data_page(page) == f"page-{number}"
            assert page.locator(".error-summary[role=alert]").count() == 1, module.code
            check_axe(page, f"page {number} ({module.code}) with errors")
        tab_until(
            page,
            lambda e: e["tag"] == "button" and e["value"] == "next" and not e["hidden"],
            act=lambda e: answer_with_keyboard(page, e),
        )
        press_and_wait(page)

    assert data_page(page) == "review"
    check_axe(page, "summary page")
    tab_until(page, lambda e: e["tag"] == "button" and e["value"] == "submit")
    press_and_wait(page)
    assert data_page(page) == "done"
    check_axe(page, "completion page")

    response = Response.objects.get()
    assert response.answers, "keyboard answers were stored"
    assert response.answers["X1"] == 1  # Space on the first option
    assert response.answers["X2"] == 30
    assert response.answers["X4_1"] == 1
    assert response.answers.get("X5") == "Mehr Licht am Bahnhof"
    assert AccessCode.objects.get(code=codes[0]).used
    assert not Draft.objects.exists()


def test_other_pages_pass_axe(page: Any, live_server: Any, org_a: Any) -> None:
    wave, codes = make_wave(org_a, open_link=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/s/o/{wave.open_link_token}/?lang=en")
    assert data_page(page) == "open"
    check_axe(page, "open link page")
    page.goto(live_server.url + f"/s/?code={codes[0]}")
    assert data_page(page) == "welcome"
    page.locator("button[value=start]").click()
    page.locator("button[value=save]").click()
    assert data_page(page) == "saved"
    check_axe(page, "saved page")
    page.goto(live_server.url + "/s/?code=" + codes[1])
    AccessCode.objects.filter(code=codes[2]).update(used=True)
    page.goto(live_server.url + "/s/?code=" + codes[2])
    assert data_page(page) == "used"
    check_axe(page, "already used page")


def test_grid_page_screenshots(page: Any, live_server: Any, org_a: Any) -> None:
    """A grid page on a phone stacks its rows; on a desktop it is a table. Both stay usable."""
    wave, codes = make_wave(org_a)
    number = next(
        i
        for i, m in enumerate(wave.instrument.modules, start=1)
        if any(q.kind == "grid" for q in m.questions)
    )
    folder = os.environ.get("DEFUS_SCREENSHOTS")
    page.goto(live_server.url + f"/s/?code={codes[0]}")
    page.goto(live_server.url + f"/s/page/{number}/")
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        table_width = page.evaluate("document.querySelector('.grid-table').scrollWidth")
        assert table_width <= size["width"], f"the grid overflows on the {name}"
        # Every radio of the grid has an accessible name naming item and option.
        radio = page.locator(".grid-table input[type=radio]").first
        label = radio.evaluate("e => e.labels[0].textContent")
        assert " – " in label
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.locator(".grid-table").first.evaluate(
                "e => e.closest('fieldset').scrollIntoView()"
            )
            page.screenshot(path=str(Path(folder) / f"grid-{name}.png"))
    check_axe(page, "grid page on a desktop")
