"""The information service's pages: home, standard and topic pages, news, declarations,
good practice and the publications library (one publication, a file per language).

Member-only pages are open to people of a member organisation and forum staff (access.py);
their documents are checked the same way when served (wagtail_hooks.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .access import refuse, sees_members_only


def body_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
        ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
        ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
    ]


class InfoPage(Page):
    """What every page of the information service shares: intro, body, member-only flag."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(body_blocks(), blank=True, verbose_name=_("text"))
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only people of member organisations and forum staff see this page."),
    )

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    settings_panels: ClassVar[list[Any]] = [*Page.settings_panels, FieldPanel("members_only")]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("members_only"),
    ]

    class Meta:
        abstract = True

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.members_only and not sees_members_only(request.user):
            return refuse(request)
        return super().serve(request, *args, **kwargs)

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list[dict[str, Any]]:
        return [] if self.members_only else super().get_sitemap_urls(request)

    @property
    def description(self) -> str:
        """For search results and social previews."""
        return self.search_description or self.intro


class HomePage(InfoPage):
    max_count_per_parent = 1

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().descendant_of(self).order_by("-date")
        context["latest_news"] = visible(news, request)[:3]
        context["sections"] = self.get_children().live().in_menu()
        return context


class StandardPage(InfoPage):
    """About the forum and Efus, topic pages."""


class NewsIndexPage(InfoPage):
    subpage_types: ClassVar[list[str]] = ["info.NewsPage"]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().child_of(self).order_by("-date")
        context["news"] = visible(news, request)
        return context


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "info.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class NewsPage(InfoPage):
    class Category(models.TextChoices):
        NETWORK = "network", pgettext_lazy("news category", "Network")
        EUROPE = "europe", pgettext_lazy("news category", "Europe")
        EVENTS = "events", pgettext_lazy("news category", "Events")
        MONITOR = "monitor", pgettext_lazy("news category", "DEFUS-Monitor")
        PREVENTION = "prevention", pgettext_lazy("news category", "Prevention")

    date = models.DateField(_("date"), default=timezone.localdate)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.NETWORK
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True)
    teaser_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("teaser image"),
    )

    parent_page_types: ClassVar[list[str]] = ["info.NewsIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("category"),
        FieldPanel("tags"),
        FieldPanel("teaser_image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]


class DeclarationPage(InfoPage):
    """A declaration the network signed or supports; its translations are Wagtail locales."""

    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("place"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]


class GoodPracticePage(InfoPage):
    city = models.CharField(_("city"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("city"),
        FieldPanel("country"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]


class PublicationIndexPage(InfoPage):
    subpage_types: ClassVar[list[str]] = ["info.PublicationPage"]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        publications = PublicationPage.objects.live().child_of(self).order_by("-date")
        context["publications"] = visible(publications, request)
        return context


class PublicationPage(InfoPage):
    """One publication; its files in several languages (PublicationFile)."""

    date = models.DateField(_("date"), default=timezone.localdate)
    parent_page_types: ClassVar[list[str]] = ["info.PublicationIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("files", label=_("Files")),
    ]

    def file_for(self, language: str | None = None) -> PublicationFile | None:
        """The file in the visitor's language, else German, else the first there is."""
        files = list(self.files.all())
        for wanted in (language or get_language(), settings.LANGUAGE_CODE):
            for publication_file in files:
                if publication_file.language == wanted:
                    return publication_file
        return files[0] if files else None

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["offered_file"] = self.file_for()
        return context


class PublicationFile(Orderable):
    page = ParentalKey(PublicationPage, on_delete=models.CASCADE, related_name="files")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    panels: ClassVar[list[Any]] = [FieldPanel("language"), FieldPanel("document")]

    def __str__(self) -> str:
        return f"{self.page} ({self.language})"


def visible(pages: Any, request: HttpRequest) -> Any:
    """Pages the visitor may open: member-only ones only for members and forum staff."""
    if sees_members_only(request.user):
        return pages
    return pages.filter(members_only=False)
