"""`defus projects`: list, the interests of a call as CSV, import from YAML; the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from defus.projects.demo import build_projects_demo
from defus.projects.models import Call, Interest, Project
from tests.support import run_defus

pytestmark = pytest.mark.django_db(transaction=True)

YAML = """
slug: strassen-sicher
title:
  de: Sichere Straßen
  en: Safe streets
programme: Erasmus+
status: running
start: 2026-02-01
end: 2027-01-31
lead_organisation: musterstadt
topics: [Verkehr, Prävention]
partners:
  - organisation: musterstadt
    role: coordinator
  - name: Gdańsk (przykład)
    country: PL
outputs:
  - kind: tool
    title: {de: Werkzeugkasten}
    url: https://example.org/tools
calls:
  - title: {de: Partner gesucht}
    deadline: 2030-01-31
"""


def test_import_list_and_interests(tmp_path: Path, org_a: Any, member_a: Any) -> None:
    source = tmp_path / "project.yaml"
    source.write_text(YAML, encoding="utf-8")
    result = run_defus("projects", "import", str(source))
    assert result.returncode == 0, result.stderr
    assert "created strassen-sicher" in result.stdout
    project = Project.objects.get(slug="strassen-sicher")
    assert project.lead_organisation == org_a
    assert project.topics == "Verkehr, Prävention"
    assert [p.display_name for p in project.partners.all()] == ["Musterstadt", "Gdańsk (przykład)"]
    assert project.outputs.get().link() == "https://example.org/tools"
    # a second import updates, and adds no second call
    result = run_defus("projects", "import", str(source))
    assert "updated strassen-sicher" in result.stdout
    assert Call.objects.filter(project=project).count() == 1

    call = project.calls.get()
    Interest.objects.create(call=call, organisation=org_a, person=member_a, statement="=1+1 bitte")
    listing = run_defus("projects", "list")
    assert listing.returncode == 0
    assert "strassen-sicher" in listing.stdout and f"call {call.pk}\topen" in listing.stdout
    out = tmp_path / "interests.csv"
    result = run_defus("projects", "interests", str(call.pk), "-o", str(out))
    assert result.returncode == 0, result.stderr
    content = out.read_text(encoding="utf-8-sig")
    assert "Musterstadt" in content and "'=1+1 bitte" in content
    assert run_defus("projects", "interests", "999999").returncode != 0


def test_import_reports_what_is_wrong(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("slug: x\ntitle: X\nprogramme: ISF\nstatus: someday\n", encoding="utf-8")
    result = run_defus("projects", "import", str(source))
    assert result.returncode != 0
    assert "status" in result.stderr
    assert not Project.objects.exists()


def test_demo_is_idempotent(org_a: Any) -> None:
    projects = build_projects_demo()
    assert len(projects) == 3
    assert {p.status for p in projects} == {"running", "completed"}
    assert Call.objects.filter(open=True).count() == 1
    assert Call.objects.get().accepts_interest
    assert projects[0].partners.filter(organisation=org_a).exists()
    build_projects_demo()
    assert Project.objects.count() == 3 and Call.objects.count() == 1
