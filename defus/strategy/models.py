"""The strategic cycle (Efus): findings → priorities → measures → evaluation.

Findings come from the survey's indicators, walks, workshops and recorded crime (imported per
district as CSV). A priority names a problem, a place and a group, with an indicator of the
survey measured in a baseline wave and a target; measures say what is done, where, by whom,
with which budget and when. Evaluation recomputes the indicator in the next wave of the same
questionnaire (evaluation.py) – it is never stored, so it always follows the data.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from defus.fieldwork.models import Place, Wave
from defus.organisations.models import Organisation
from defus.walks.models import Stop, Walk, Workshop, WorkshopFinding


class CrimeFigure(models.Model):
    """Recorded crime of one district, year and offence category (from the police's
    statistics, imported as CSV)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="crime_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    district = models.CharField(_("district code"), max_length=20)
    category = models.CharField(_("offence category"), max_length=120)
    count = models.PositiveIntegerField(_("cases"))

    class Meta:
        ordering = ["organisation", "year", "district", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "district", "category"],
                name="one_crime_figure_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year} {self.category}: {self.count}"


class Finding(models.Model):
    class Source(models.TextChoices):
        SURVEY = "survey", _("survey")
        WALK = "walk", _("neighbourhood walk")
        WORKSHOP = "workshop", _("workshop")
        CRIME = "crime", _("recorded crime")
        OTHER = "other", _("other")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="findings"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    text = models.TextField(_("finding"))
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL)
    walk = models.ForeignKey(Walk, null=True, blank=True, on_delete=models.SET_NULL)
    stop = models.ForeignKey(Stop, null=True, blank=True, on_delete=models.SET_NULL)
    workshop = models.ForeignKey(Workshop, null=True, blank=True, on_delete=models.SET_NULL)
    workshop_finding = models.ForeignKey(
        WorkshopFinding, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Priority(models.Model):
    """A priority problem at a place for a group, with its indicator, baseline and target.

    The indicator is a figure of the survey: a share of answer codes (`share`) or the mean of
    an item or index (`share` empty), for everybody or for one group (`group_by`/`group`,
    e.g. gender/female), measured in `baseline_wave`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="priorities"
    )
    problem = models.CharField(_("problem"), max_length=300)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL)
    place_text = models.CharField(_("place"), max_length=200, blank=True)
    group_by = models.CharField(_("group variable"), max_length=20, blank=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    baseline_wave = models.ForeignKey(
        Wave, on_delete=models.PROTECT, related_name="priorities", verbose_name=_("baseline wave")
    )
    item = models.CharField(_("indicator item"), max_length=20)
    share = models.JSONField(_("answer codes counted"), default=list, blank=True)
    indicator_label = models.CharField(_("indicator"), max_length=300)
    target = models.FloatField(
        _("target"), help_text=_("a share in per cent, or a mean on the item's scale")
    )
    findings = models.ManyToManyField(Finding, blank=True, related_name="priorities")
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "position", "pk"]
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.problem


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("in progress")
        DONE = "done", _("completed")
        STOPPED = "stopped", _("stopped")

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("what"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    where = models.CharField(_("where"), max_length=200, blank=True)
    department = models.CharField(_("responsible department"), max_length=200)
    partners = models.TextField(_("partners"), blank=True)
    budget = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "start", "pk"]

    def __str__(self) -> str:
        return self.title


def measure_document_path(document: MeasureDocument, filename: str) -> str:
    organisation = document.measure.priority.organisation_id
    return f"measures/{organisation}/{uuid.uuid4().hex}/{filename}"


class MeasureDocument(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=measure_document_path)
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "pk"]

    def __str__(self) -> str:
        return self.title
