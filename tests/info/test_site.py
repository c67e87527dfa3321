"""The information service: the page tree in three languages, the language switch, the
publication in the visitor's language, member-only pages and files, feeds, sitemap, search."""

from __future__ import annotations

import re
from typing import Any

import pytest
from defusedxml import ElementTree as ET
from wagtail.models import Locale, Page

from defus.info.demo import build_info_site
from defus.info.models import HomePage, NewsPage, PublicationPage

pytestmark = pytest.mark.django_db

PAGES = ["", "aktuelles/", "aktuelles/defus-monitor/", "publikationen/", "forum/efus/"]
PAGES += ["themen/radikalisierung/", "aarhus-erklaerung/", "sicherheitsbegehungen/"]


@pytest.fixture
def site(db: Any, django_capture_on_commit_callbacks: Any) -> HomePage:
    # Wagtail updates its search index in a task run on commit; tests never commit.
    with django_capture_on_commit_callbacks(execute=True):
        return build_info_site()


def test_page_tree_in_three_languages(client: Any, site: HomePage) -> None:
    for prefix, lang, word in (
        ("/", "de", "Aktuelles"),
        ("/en/", "en", "News"),
        ("/fr/", "fr", "Actualités"),
    ):
        locale = Locale.objects.get(language_code=lang)
        for path in PAGES:
            german = Page.objects.get(locale__language_code="de", url_path=f"/start/{path}")
            url = german.get_translation(locale).url  # its own slug in each language
            assert url.startswith(prefix), url
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert f'<html lang="{lang}">' in page
            assert f">{word}</a>" in page, (url, "menu in the page's language")
    assert "Forum germano-européen pour la sécurité urbaine" in client.get("/fr/").content.decode()


def test_building_twice_changes_nothing(site: HomePage) -> None:
    count = NewsPage.objects.count()
    assert count == 15  # five news in three languages
    assert build_info_site().pk == site.pk
    assert NewsPage.objects.count() == count


def test_language_switch_lands_on_the_translation(client: Any, site: HomePage) -> None:
    page = client.get("/aktuelles/defus-monitor/").content.decode()
    switch = page[page.index('class="language-choice"') :]
    french = re.search(r'<a href="([^"]+)" lang="fr"', switch)
    assert french is not None
    response = client.get(french.group(1))
    assert response.status_code == 200
    assert "DEFUS-Monitor : les villes mesurent" in response.content.decode()
    assert 'aria-current="page">français' in response.content.decode()


def test_publication_offers_the_file_in_the_visitors_language(client: Any, site: HomePage) -> None:
    # each language has its own address (a translated slug)
    for path, language in (
        ("/publikationen/info-flyer-defus/", "de"),
        ("/en/publications/defus-information-flyer/", "en"),
        ("/fr/publications/depliant-dinformation-du-defus/", "fr"),
    ):
        page = client.get(path).content.decode()
        offered = re.search(r'class="button" href="([^"]+)" hreflang="(\w+)"', page)
        assert offered is not None and offered.group(2) == language, path
        assert f"info-flyer-defus-{language}" in offered.group(1)
        assert page.count('hreflang="de" lang="de"') == 1  # the list of all languages
        document = client.get(offered.group(1))
        assert document.status_code == 200
        assert b"".join(document.streaming_content).startswith(b"%PDF")


def test_publication_falls_back_to_german(site: HomePage) -> None:
    minutes = PublicationPage.objects.get(
        slug="proces-verbal-de-lassemblee-des-membres", locale__language_code="fr"
    )
    chosen = minutes.file_for("fr")
    assert chosen is not None and chosen.language == "de"


def _members_only_urls(client: Any) -> list[str]:
    minutes = PublicationPage.objects.get(
        slug="protokoll-mitgliederversammlung", locale__language_code="de"
    )
    file = minutes.files.get()
    return [
        "/forum/mitgliederbereich/",
        "/fr/le-forum/espace-membres/",
        minutes.url,
        file.document.url,
    ]


def test_members_only_refused_to_anonymous(client: Any, site: HomePage) -> None:
    for url in _members_only_urls(client):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]
    assert "mitgliederbereich" not in client.get("/sitemap.xml").content.decode()
    assert "Protokoll" not in client.get("/publikationen/").content.decode()
    assert "protokoll-mitglieder" not in client.get("/search/?q=Protokoll").content.decode()


def test_members_only_refused_to_a_non_member_organisation(
    client: Any, site: HomePage, admin_b: Any, org_b: Any
) -> None:
    org_b.is_member = False
    org_b.save()
    client.force_login(admin_b)
    for url in _members_only_urls(client):
        assert client.get(url).status_code == 403, url
    assert "Protokoll" not in client.get("/publikationen/").content.decode()


@pytest.mark.parametrize("who", ["member_a", "forum_staff"])
def test_members_only_open_to_members_and_staff(
    client: Any, site: HomePage, who: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(who))
    for url in _members_only_urls(client):
        assert client.get(url).status_code == 200, url
    assert "Protokoll" in client.get("/publikationen/").content.decode()


def test_rss_and_atom_feeds_per_language(client: Any, site: HomePage) -> None:
    rss = ET.fromstring(client.get("/feeds/news.rss").content)
    titles = [item.findtext("title") for item in rss.iter("item")]
    assert len(titles) == 5
    assert "Mitgliederversammlung in München" in titles
    atom = ET.fromstring(client.get("/fr/feeds/news.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert len(entries) == 5
    links = [e.find("a:link", ns).get("href") for e in entries]  # type: ignore[union-attr]
    assert all("/fr/actualites/" in link for link in links), links
    assert client.get(links[0].split("testserver")[1]).status_code == 200


def test_sitemap_lists_pages_in_every_language(client: Any, site: HomePage) -> None:
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text or "" for loc in sitemap.findall("s:url/s:loc", ns)]
    assert any(loc.endswith("/aktuelles/defus-monitor/") and "/fr/" not in loc for loc in locations)
    assert any(
        loc.endswith(
            "/fr/actualites/defus-monitor-les-villes-mesurent-elles-memes-le-sentiment-de-securite/"
        )
        for loc in locations
    )
    assert len(locations) == 3 * 18  # every public page in three languages


def test_search_finds_a_news_item(client: Any, site: HomePage) -> None:
    page = client.get("/search/?q=Mitgliederversammlung").content.decode()
    assert "/aktuelles/mitgliederversammlung-muenchen/" in page
    french = client.get("/fr/search/?q=Munich").content.decode()
    assert "/fr/actualites/assemblee-des-membres-a-munich/" in french
    assert client.get("/search/?q=").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000 + "&page=abc").status_code == 200


def test_social_preview_metadata(client: Any, site: HomePage) -> None:
    page = client.get("/aktuelles/defus-monitor/").content.decode()
    assert '<meta property="og:title" content="DEFUS-Monitor: Städte messen' in page
    assert '<meta property="og:description"' in page
    image = re.search(r'<meta property="og:image" content="http://testserver(/images/[^"]+)"', page)
    assert image is not None
    assert client.get(image.group(1)).status_code == 200


def test_core_home_is_the_wagtail_home(client: Any, site: HomePage) -> None:
    from django.urls import reverse

    assert reverse("core:home") == "/"
    page = client.get("/").content.decode()
    assert "Neueste Meldungen" in page and "Take part" not in page


def test_cms_is_for_editors(client: Any, site: HomePage, member_a: Any, forum_staff: Any) -> None:
    assert "/cms/login/" in client.get("/cms/")["Location"]
    client.force_login(member_a)
    assert client.get("/cms/").status_code in (302, 403)
    build_info_site()  # the demo makes the office an editor
    client.force_login(forum_staff)
    assert client.get("/cms/").status_code == 200
    assert client.get(f"/cms/pages/{site.pk}/").status_code == 200
