"""A wave with districts, population figures, access codes and answers, for analysis tests.

Answers come from the demo's synthetic model and are stored through record_response, the
one way answers become a Response. `small` puts 1–4 respondents into chosen groups, to test
disclosure control.
"""

from __future__ import annotations

import datetime
import random
from html.parser import HTMLParser
from typing import Any

from defus.demo.synthetic import Mention, Respondent, synthetic_answers
from defus.fieldwork.models import AGE_GROUPS, AccessCode, District, Place, Wave
from defus.fieldwork.services.responses import record_response

DISTRICTS = [  # code, name, adults, unease
    ("01", "Altstadt", 14000, 0.3),
    ("02", "Bahnhofsviertel", 11000, 1.1),
    ("03", "Nordstadt", 22000, 0.0),
    ("04", "Südpark", 18000, -0.3),
]


def population(adults: int) -> dict[str, dict[str, int]]:
    shares = (0.2, 0.27, 0.25, 0.17, 0.11)
    return {
        gender: {
            group: int(adults * share * part)
            for group, share in zip(AGE_GROUPS, shares, strict=True)
        }
        for gender, part in (("female", 0.51), ("male", 0.49))
    }


def square(column: int, size: float = 0.02) -> dict[str, Any]:
    west, south = 8.4 + column * size, 49.9
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def make_analysis_wave(
    organisation: Any,
    *,
    slug: str = "analyse-2026",
    per_district: int = 60,
    small: dict[str, int] | None = None,
    open_link: int = 0,
    seed: int = 7,
    field_start: datetime.date | None = None,
) -> Wave:
    """A wave of 4 districts with `per_district` answers each; `small` maps a district code to
    a number of answers that replaces `per_district` there (e.g. {"04": 3})."""
    start = field_start or datetime.date(2026, 3, 1)
    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Befragung {slug}",
        slug=slug,
        instrument_version="2026.1",
        field_start=start,
        field_end=start + datetime.timedelta(days=42),
        status=Wave.Status.CLOSED,
        mode_open_link=open_link > 0,
    )
    rng = random.Random(seed)
    districts = []
    for number, (code, name, adults, _unease) in enumerate(DISTRICTS, start=1):
        districts.append(
            District.objects.create(
                wave=wave,
                code=code,
                name=name,
                answer_code=number,
                population=population(adults),
                boundary=square(number),
            )
        )
    Place.objects.create(wave=wave, code="HBF", name="Hauptbahnhof", district=districts[1])
    Place.objects.create(
        wave=wave, code="STP", name="Stadtpark", district=districts[3], aliases="Park"
    )
    instrument = wave.instrument
    # Many name the station, very few the park: a place below the minimum stays hidden.
    mentions = [
        Mention(district=2, weight=3.0, phrases={"de": ["am Hauptbahnhof", "Hauptbahnhof"]}),
        Mention(district=4, weight=0.02, phrases={"de": ["im Stadtpark"]}),
    ]
    for district, (code, _name, _adults, unease) in zip(districts, DISTRICTS, strict=True):
        count = (small or {}).get(code, per_district)
        for index in range(count * 2):  # half of the sample answers
            access = AccessCode.objects.create(
                wave=wave,
                code=f"{slug.replace('-', '')[-8:]}{code}{index:05d}".upper(),
                district=district,
            )
            if index >= count:
                continue
            respondent = Respondent(
                gender=rng.choice(["female", "male"]),
                age=rng.randint(18, 90),
                district=district.answer_code,
                unease=unease,
            )
            answers = synthetic_answers(instrument, respondent, rng, mentions)
            record_response(wave, answers, mode="web", language="de", access_code=access)
    for _index in range(open_link):
        respondent = Respondent(gender="female", age=40, district=1, worry=0.8)
        answers = synthetic_answers(instrument, respondent, rng)
        record_response(wave, answers, mode="web", language="de")
    wave.refresh_from_db()
    return wave


class Tables(HTMLParser):
    """Every <table> of a page as (column headers, [(row header, [cell texts])])."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[tuple[str, list[str]]]]] = []
        self._cell: list[str] | None = None
        self._row: list[tuple[str, str]] | None = None
        self._in_ci = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._kind = tag
        elif tag == "span" and ("class", "ci") in attrs:
            self._in_ci += 1  # the CI under a figure: hidden exactly when the figure is

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._kind, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            headers, rows = self.tables[-1]
            if all(kind == "th" for kind, _text in self._row):
                headers[:] = [text for _kind, text in self._row]
            else:
                rows.append((self._row[0][1], [text for _kind, text in self._row[1:]]))
            self._row = None
        elif tag == "span" and self._in_ci:
            self._in_ci -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._in_ci:
            self._cell.append(data)


def tables_of(html: str) -> list[tuple[list[str], list[tuple[str, list[str]]]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables
