"""Survey waves and their fieldwork.

Two worlds are kept apart on purpose:
- the sample (SamplePerson, AccessCode): who was written to, which code they got, whether the
  code has been used (not when, not how);
- the answers (Response): anonymous, with no code, person, address, IP or time of day.
Nothing links a Response to an AccessCode. Response ids are random UUIDs, so neither their
order nor their number says which code answered when.
"""

from __future__ import annotations

import json
import uuid
from functools import cached_property, lru_cache
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from defus.instrument.definition import Instrument, for_wave, standard_instrument
from defus.organisations.models import Organisation, User

# Population margins use these groups; the demographics module asks age in years.
AGE_GROUPS = ("18-29", "30-44", "45-59", "60-74", "75+")
GENDERS = ("female", "male", "diverse")


def age_group(age: int | None) -> str | None:
    if age is None or age < 18:
        return None
    for label in AGE_GROUPS:
        low, _sep, high = label.partition("-")
        if age >= int(low.rstrip("+")) and (not high or age <= int(high)):
            return label
    return None


class Wave(models.Model):
    class Status(models.TextChoices):
        PREPARATION = "preparation", _("In preparation")
        FIELD = "field", _("In the field")
        CLOSED = "closed", _("Fieldwork closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="waves")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("short name"), unique=True, help_text=_("Used on the command line, e.g. musterstadt-2026")
    )
    instrument_key = models.CharField(max_length=60, default="defus-monitor")
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    extension = models.JSONField(
        _("city-specific modules"),
        default=dict,
        blank=True,
        help_text=_("Own modules in the definition format; marked as not comparable."),
    )
    field_start = models.DateField(_("start of fieldwork"))
    field_end = models.DateField(_("end of fieldwork"))
    mode_web = models.BooleanField(_("online with access code"), default=True)
    mode_paper = models.BooleanField(_("paper questionnaire"), default=True)
    mode_open_link = models.BooleanField(
        _("open link without code"),
        default=False,
        help_text=_("Answers via the open link are not a random sample and are flagged."),
    )
    open_link_token = models.CharField(max_length=32, unique=True, default="", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARATION)
    sample_deleted_on = models.DateField(null=True, blank=True)
    # The first day invitation letters were printed: from then on the sample cannot be discarded
    # and imported again, since letters with its codes may be in the post.
    invitations_printed_on = models.DateField(null=True, blank=True)
    # Sender and contact details printed on the letters: {"sender": one line for the address
    # window, "department": letterhead lines, "contact": phone/e-mail for questions,
    # "signature": name and role}; see services/letters.py.
    letter = models.JSONField(_("letter details"), default=dict, blank=True)
    # Grows with every recorded answer: analysis results are cached per revision.
    answers_revision = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-field_start"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.open_link_token:
            self.open_link_token = uuid.uuid4().hex
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The revision only ever grows in the database (record_response); a form that
            # saves the whole wave must not write back the value it read earlier.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "answers_revision"
            ]
        super().save(*args, **kwargs)

    @cached_property
    def instrument(self) -> Instrument:
        """The questionnaire as this wave asks it (districts bound, own modules added)."""
        districts = tuple(self.districts.order_by("answer_code").values_list("answer_code", "name"))
        return _wave_instrument(
            self.instrument_key,
            self.instrument_version,
            districts,
            json.dumps(self.extension or None, sort_keys=True),
        )


@lru_cache(maxsize=128)
def _wave_instrument(
    key: str, version: str, districts: tuple[tuple[int, str], ...], extension: str
) -> Instrument:
    """Binding districts and own modules checks the whole definition (tens of ms): done once
    per distinct wave setup, then shared – an Instrument is immutable."""
    base = standard_instrument(key, version)
    return for_wave(base, districts=districts, extension=json.loads(extension))


class District(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    answer_code = models.PositiveIntegerField(
        help_text="Numeric code of the district in the questionnaire and in exports."
    )
    # {"female": {"18-29": 1234, ...}, "male": {...}} — adults by gender × age group
    population = models.JSONField(default=dict)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry")

    class Meta:
        ordering = ["answer_code"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="district_code_per_wave"),
            models.UniqueConstraint(fields=["wave", "answer_code"], name="district_answer_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_population(self) -> int:
        return sum(sum(groups.values()) for groups in (self.population or {}).values())


class Place(models.Model):
    """A named local place (station, park, square) that questions and maps refer to."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="places")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    aliases = models.TextField(_("other names"), blank=True, help_text=_("one per line"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="place_code_per_wave"),
        ]

    def __str__(self) -> str:
        return self.name


class AccessCode(models.Model):
    """A single-use code from an invitation letter. Knows whether it was used: not when, not for
    what."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="access_codes")
    code = models.CharField(max_length=32, unique=True)
    # The sampling stratum stays after the addresses are deleted: response rates by district.
    district = models.ForeignKey(District, null=True, on_delete=models.SET_NULL)
    # Only the fact of use is kept – no day, no mode – so that nothing but counts can be set
    # beside the answers (whose day of completion monitoring shows per day).
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["wave", "used"])]

    def __str__(self) -> str:
        return self.code


class SamplePerson(models.Model):
    """A resident drawn from the register. Deleted in one action after fieldwork."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="sample")
    line = models.PositiveIntegerField(help_text="line in the imported file")
    salutation = models.CharField(max_length=40, blank=True)
    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10)
    city = models.CharField(max_length=120)
    district = models.ForeignKey(District, on_delete=models.PROTECT)
    access_code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="person")
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Draft(models.Model):
    """Answers in progress (save and resume). Deleted when the questionnaire is completed."""

    id = models.CharField(primary_key=True, max_length=64)  # random; the respondent's cookie
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="drafts")
    access_code = models.OneToOneField(
        AccessCode, null=True, blank=True, on_delete=models.CASCADE, related_name="draft"
    )
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="de")
    page = models.PositiveIntegerField(default=0)
    updated_on = models.DateField(auto_now=True)

    def __str__(self) -> str:
        return f"draft {self.pk[:6]}…"


class Response(models.Model):
    """One completed questionnaire. Anonymous by construction; written once, never edited."""

    class Mode(models.TextChoices):
        WEB = "web", _("online")
        PAPER = "paper", _("paper")

    class Source(models.TextChoices):
        SAMPLE = "sample", _("random sample")
        OPEN_LINK = "open_link", _("open link (not a random sample)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    instrument_version = models.CharField(max_length=20)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    language = models.CharField(max_length=8)
    completed_on = models.DateField(help_text="day only, never the time")
    # The sampling stratum (for design weights), never the address.
    sample_district = models.ForeignKey(District, null=True, on_delete=models.SET_NULL)
    answers = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["wave", "completed_on"])]

    def __str__(self) -> str:
        return f"response {self.pk}"


class PaperEntry(models.Model):
    """A paper questionnaire typed in by staff; with double entry, two per sheet are compared."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="paper_entries")
    sheet = models.CharField(_("sheet number"), max_length=40)
    round = models.PositiveSmallIntegerField(default=1)  # 1st or 2nd entry of the sheet
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="de")
    sample_district = models.ForeignKey(District, null=True, on_delete=models.SET_NULL)
    entered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    committed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "sheet", "round"], name="one_entry_per_round")
        ]

    def __str__(self) -> str:
        return f"sheet {self.sheet} (entry {self.round})"
