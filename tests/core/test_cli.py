import subprocess
import sys
from pathlib import Path

DEFUS = Path(sys.executable).with_name("defus")


def test_defus_help_lists_the_project_commands():
    result = subprocess.run([str(DEFUS), "--help"], capture_output=True, text=True, check=True)
    assert "DEFUS platform commands:" in result.stdout
    for command in ("demo", "instrument", "survey", "wave", "sample"):
        assert f"  {command} " in result.stdout, command


def test_defus_runs_django_commands():
    result = subprocess.run([str(DEFUS), "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
