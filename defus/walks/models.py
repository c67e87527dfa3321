"""Neighbourhood walks and focused workshops: the qualitative part of DEFUS-Monitor.

A walk goes to a district of a wave (the places the survey shows as most affected), with
participant groups given as counts only – no personal data of residents is ever stored.
Its route is a list of ordered stops; at each stop the facilitator records a checklist
(Safetipin's parameters and the women's safety audit, each 0–3 or not assessed), the
participants' feeling, notes, photos (location metadata removed before storing) and the
issues found. A repeat walk (`repeat_of`) goes the same route at another time or with another
group; the report compares them stop by stop.

Recording happens on a phone with a poor connection: every stop, photo and issue sent from
the field carries a key made on the phone (`client_key`), so a retry after a lost connection
updates what arrived instead of storing it twice.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from defus.fieldwork.models import District, Place, Wave
from defus.organisations.models import Organisation

# Who takes part (counts only). Staff of the administration and police are counted too.
PARTICIPANT_GROUPS: tuple[tuple[str, object], ...] = (
    ("women", _("women")),
    ("older", _("older people")),
    ("young", _("young people")),
    ("disabilities", _("people with disabilities")),
    ("migrants", _("migrants")),
    ("mixed", _("residents, mixed")),
    ("staff", _("city staff")),
    ("police", _("police")),
)

# The checklist at each stop: Safetipin's parameters and the women's safety audit.
CHECKLIST: tuple[tuple[str, object], ...] = (
    ("lighting", _("lighting")),
    ("openness", _("openness")),
    ("visibility", _("visibility and sightlines")),
    ("people", _("people present")),
    ("women", _("presence of women")),
    ("security", _("visible security")),
    ("path", _("walking path")),
    ("transport", _("public transport nearby")),
    ("maintenance", _("maintenance and cleanliness")),
    ("ways_out", _("ways out")),
    ("help_points", _("help points")),
    ("signage", _("signage")),
)
CHECKLIST_KEYS = tuple(key for key, _label in CHECKLIST)
SCORE_CHOICES = ((0, "0"), (1, "1"), (2, "2"), (3, "3"))  # 0 poor … 3 good; None: not assessed


class Walk(models.Model):
    class TimeOfDay(models.TextChoices):
        DAY = "day", pgettext_lazy("time of day", "day")
        DUSK = "dusk", pgettext_lazy("time of day", "dusk")
        NIGHT = "night", pgettext_lazy("time of day", "night")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RECORDED = "recorded", _("recorded")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="walks")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="walks")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"), null=True, blank=True)
    time_of_day = models.CharField(
        _("time of day"), max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.DAY
    )
    # {group key of PARTICIPANT_GROUPS: count}
    participants = models.JSONField(_("participants"), default=dict, blank=True)
    facilitators = models.TextField(
        _("facilitators"), blank=True, help_text=_("staff and partners leading the walk")
    )
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("neighbourhood walk")

    def __str__(self) -> str:
        return self.title

    @property
    def wave(self) -> Wave:
        return self.district.wave


class Stop(models.Model):
    """A point of the route; planned on the map, then recorded in the field."""

    walk = models.ForeignKey(Walk, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="walk_stops"
    )
    # Recorded in the field. checklist: {CHECKLIST key: 0–3 or None (not assessed)}
    checklist = models.JSONField(default=dict, blank=True)
    feeling = models.PositiveSmallIntegerField(
        _("participants' feeling"),
        null=True,
        blank=True,
        help_text=_("1 very unsafe … 4 very safe"),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded = models.DateTimeField(null=True, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["walk", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["walk", "client_key"], name="one_stop_per_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


def photo_path(photo: StopPhoto, filename: str) -> str:
    # Never the uploaded name (it can hold a person's name or a place); a random one.
    return f"walks/{photo.stop.walk.organisation_id}/{uuid.uuid4().hex}.jpg"


class StopPhoto(models.Model):
    """A photo of a stop, stored re-encoded without any metadata (EXIF, GPS, XMP)."""

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stop", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stop", "client_key"], name="one_photo_per_client_key")
        ]

    def __str__(self) -> str:
        return f"photo of {self.stop}"


class StopIssue(models.Model):
    """A problem found at a stop, with what should be done and by whom."""

    class Category(models.TextChoices):
        LIGHTING = "lighting", _("lighting")
        VISIBILITY = "visibility", _("visibility, vegetation")
        MAINTENANCE = "maintenance", _("maintenance, litter, vandalism")
        PATH = "path", _("path, crossing, accessibility")
        DESIGN = "design", _("design of the space")
        SIGNAGE = "signage", _("signage, orientation")
        PRESENCE = "presence", _("presence of staff or police")
        BEHAVIOUR = "behaviour", _("behaviour of others")
        OTHER = "other", _("other")

    class Severity(models.IntegerChoices):
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="issues")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("description"), blank=True)
    action = models.TextField(_("suggested action"), blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["stop", "-severity", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stop", "client_key"], name="one_issue_per_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.stop})"


class Workshop(models.Model):
    """A focused workshop with a group (e.g. older residents of one district)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="workshops"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="workshops"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.SET_NULL, related_name="workshops"
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=300)
    date = models.DateField(_("date"))
    participants = models.JSONField(_("participants"), default=dict, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("workshop")

    def __str__(self) -> str:
        return self.title


class WorkshopFinding(models.Model):
    """What a workshop found, tied to a place, a group or a module of the questionnaire."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="workshop_findings"
    )
    group = models.CharField(_("group"), max_length=20, blank=True, choices=PARTICIPANT_GROUPS)
    module = models.CharField(_("module of the questionnaire"), max_length=20, blank=True)

    class Meta:
        ordering = ["workshop", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


def document_path(document: WorkshopDocument, filename: str) -> str:
    return f"workshops/{document.workshop.organisation_id}/{uuid.uuid4().hex}/{filename}"


class WorkshopDocument(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path)
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop", "pk"]

    def __str__(self) -> str:
        return self.title
