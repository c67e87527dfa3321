"""The interface in German (the default), English (the msgids) and French.

The catalogues in defus/locale must translate every string of the interface, with no entry
left fuzzy (gettext ignores fuzzy entries at run time, so the English text would show).
"""

from __future__ import annotations

import ast
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "defus"
LANGUAGES = ("de", "fr")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrfi]|%[sdr]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def catalogue(language: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    flags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # msgid, msgid_plural, msgstr[n], …

    @property
    def msgid(self) -> str:
        return self.fields["msgid"]


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ones left out), with their flags and fields."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        flags: list[str] = []
        fields: dict[str, str] = {}
        current = ""
        obsolete = False
        for line in block.splitlines():
            if line.startswith("#~"):
                obsolete = True
            elif line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                keyword, _, value = line.partition(" ")
                current = keyword
                fields[current] = ast.literal_eval(value)
        if not obsolete and "msgid" in fields:
            entries.append(Entry(flags, fields))
    return entries


def messages(language: str) -> list[Entry]:
    """The catalogue's messages, without the header."""
    return [e for e in parse_po(catalogue(language)) if e.msgid]


# --- (a) the catalogues are complete ----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = messages(language)
    assert len(entries) > 500, "the catalogue looks empty: run makemessages"
    untranslated, fuzzy = [], []
    for entry in entries:
        strings = [value for key, value in entry.fields.items() if key.startswith("msgstr")]
        if not strings or not all(s.strip() for s in strings):
            untranslated.append(entry.msgid)
        if "fuzzy" in entry.flags:
            fuzzy.append(entry.msgid)
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_is_not_fuzzy_and_names_the_plural_rule(language: str) -> None:
    header = parse_po(catalogue(language))[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert f"Language: {language}\n" in header.fields["msgstr"]
    assert "charset=UTF-8" in header.fields["msgstr"]
    rule = "plural=(n > 1);" if language == "fr" else "plural=(n != 1);"
    assert rule in header.fields["msgstr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_html_tags(language: str) -> None:
    wrong = []
    for entry in messages(language):
        for key, value in entry.fields.items():
            if not key.startswith("msgstr"):
                continue
            singular = key in ("msgstr", "msgstr[0]")
            source = entry.msgid if singular else entry.fields["msgid_plural"]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(value)):
                wrong.append((key, source, value))
            if sorted(TAG.findall(source)) != sorted(TAG.findall(value)):
                wrong.append((key, source, value))
    assert wrong == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue_with_nothing_left_out(language: str) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue(language))],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) not installed",
)
def test_catalogue_holds_every_string_of_the_source(tmp_path: Path) -> None:
    """A string marked for translation but missing from the catalogue would show in English.

    makemessages runs on a copy of the package, so the real catalogues stay untouched.
    """
    copy = tmp_path / "defus"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "*.mo")
    )
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "de", "--ignore=*/tests/*", "-v0"],
        cwd=copy,
        env=env,
        check=True,
    )
    fresh = parse_po(copy / "locale" / "de" / "LC_MESSAGES" / "django.po")
    # A string with a context (pgettext) is another message than the same string without one.
    wanted = {(e.fields.get("msgctxt", ""), e.msgid) for e in fresh if e.msgid}
    for language in LANGUAGES:
        have = {(e.fields.get("msgctxt", ""), e.msgid) for e in messages(language)}
        assert sorted(wanted - have) == [], (
            f"run makemessages and translate the new strings ({language})"
        )


def test_french_plural_rule_treats_zero_and_one_alike() -> None:
    msgid = "%(count)d answer imported."
    plural = "%(count)d answers imported."
    with translation.override("fr"):
        assert translation.ngettext(msgid, plural, 0) == "%(count)d réponse importée."
        assert translation.ngettext(msgid, plural, 1) == "%(count)d réponse importée."
        assert translation.ngettext(msgid, plural, 2) == "%(count)d réponses importées."
    with translation.override("de"):
        assert translation.ngettext(msgid, plural, 0) == "%(count)d Antworten importiert."
        assert translation.ngettext(msgid, plural, 1) == "%(count)d Antwort importiert."


# --- (b) the site's pages follow the language ---------------------------------------------------


@pytest.mark.django_db
def test_home_page_is_german_by_default_and_french_under_fr(client) -> None:
    german = client.get("/")
    assert german.status_code == 200
    page = html.unescape(german.content.decode())
    assert '<html lang="de">' in page
    assert "Zum Inhalt springen" in page
    assert "Deutsch-Europäisches Forum für Urbane Sicherheit" in page
    assert "Skip to content" not in page

    french = html.unescape(client.get("/fr/").content.decode())
    assert '<html lang="fr">' in french
    assert "Aller au contenu" in french
    assert "Forum germano-européen pour la sécurité urbaine" in french

    english = html.unescape(client.get("/en/").content.decode())
    assert "Skip to content" in english


# --- (c) the respondent's start page follows ?lang= -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "language", "label", "button"),
    [
        ("", "de", "Zugangscode", "Weiter"),
        ("?lang=en", "en", "Access code", "Continue"),
        ("?lang=fr", "fr", "Code d'accès", "Continuer"),
    ],
)
def test_respondent_start_page_language(client, query, language, label, button) -> None:
    response = client.get("/s/" + query)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f'<html lang="{language}">' in page
    assert f'<label for="code">{label}</label>' in page
    assert f'<button type="submit">{button}</button>' in page
