"""Create the benchmark's organisation, wave (in the field, 12 districts) and access codes.

Run with the project's settings (the runner sets DATABASE_URL or DEFUS_SQLITE_PATH); prints
one unused access code per line.
"""

from __future__ import annotations

import datetime
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defus.settings")
django.setup()

from defus.fieldwork.models import AGE_GROUPS, AccessCode, District, Wave  # noqa: E402
from defus.fieldwork.services.codes import new_codes  # noqa: E402
from defus.instrument.definition import available_versions  # noqa: E402
from defus.organisations.models import Organisation  # noqa: E402


def main(count: int) -> None:
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    today = datetime.date.today()
    wave, created = Wave.objects.get_or_create(
        slug="bench-wave",
        defaults={
            "organisation": organisation,
            "title": "Benchmark wave",
            "instrument_version": max(v for k, v in available_versions() if k == "defus-monitor"),
            "field_start": today - datetime.timedelta(days=7),
            "field_end": today + datetime.timedelta(days=7),
            "status": Wave.Status.FIELD,
        },
    )
    if created:
        population = {g: dict.fromkeys(AGE_GROUPS, 1000) for g in ("female", "male")}
        District.objects.bulk_create(
            District(
                wave=wave,
                code=f"D{n:02}",
                name=f"District {n}",
                answer_code=n,
                population=population,
            )
            for n in range(1, 13)
        )
    districts = list(wave.districts.all())
    codes = new_codes(count, set(AccessCode.objects.values_list("code", flat=True)))
    AccessCode.objects.bulk_create(
        AccessCode(wave=wave, code=code, district=districts[i % len(districts)])
        for i, code in enumerate(codes)
    )
    sys.stdout.write("\n".join(codes) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]))
