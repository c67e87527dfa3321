"""A wave's weighting settings and the files made from its answers (reused per revision)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fieldwork.models import Wave


class WeightingScheme(models.Model):
    """How a wave is weighted. Without one: gender × age group and district (margins.py)."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="weighting")
    # [{"variable": "gender_age" | "gender" | "age_group" | "district" | ITEM,
    #   "population": {category: total} (optional for the register-based variables)}]
    margins = models.JSONField(default=list, blank=True)
    trim = models.FloatField(
        _("cap weights at this multiple of the median"),
        null=True,
        blank=True,
        help_text=_("Empty: no trimming. Typical values are 3 to 5."),
    )
    tolerance = models.FloatField(_("convergence tolerance"), default=1e-10)
    max_iterations = models.PositiveIntegerField(_("iteration limit"), default=100)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weighting")

    def __str__(self) -> str:
        return f"weighting of {self.wave}"


class ExportFile(models.Model):
    """A generated export or report of a wave, made in the background and reused until new
    answers arrive (`revision` is the wave's answers_revision it was made from)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="export_files")
    kind = models.CharField(max_length=40)  # e.g. "sav", "dta", "xlsx", "csv", "report-pdf"
    language = models.CharField(max_length=8, default="de")
    revision = models.PositiveIntegerField()
    settings_key = models.CharField(max_length=64, blank=True)  # weighting etc. it depends on
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    path = models.CharField(max_length=300, blank=True)  # under MEDIA_ROOT
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "kind", "language", "revision", "settings_key"],
                name="one_export_per_revision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.wave} (revision {self.revision})"


class AnswerColumns(models.Model):
    """A columnar copy of a wave's answers (data.WaveData as numpy arrays), so that reading a
    wave after a restart or an emptied cache costs one row instead of parsing every answer.

    Derived, never edited: it names the answers revision and districts it was made from;
    data.py checks both (and the number of answers) before using it, appends answers that
    arrived since, and replaces it when it has fallen behind. Rows are kept in the order of
    the answers' random ids, so the copy holds nothing about the order answers arrived in."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="answer_columns")
    revision = models.PositiveIntegerField()
    layout = models.PositiveSmallIntegerField()  # data.COLUMNS_LAYOUT it was written with
    district_pks = models.JSONField(default=list)
    n = models.PositiveIntegerField()
    payload = models.BinaryField()  # numpy .npz, no pickled objects
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"answers of {self.wave} as columns (revision {self.revision})"
