"""The `defus` command line: Django's manage.py with the project's own commands listed first.

Statistics offices script their work with it, e.g.
    defus instrument check defus/instrument/definitions/defus-monitor-2026.1.yaml
    defus survey export musterstadt-2026 --format csv -o answers.csv
"""

from __future__ import annotations

import os
import sys


def _project_commands() -> list[tuple[str, str]]:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    rows = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("defus."):
            command = load_command_class(app, name)
            summary = (command.help or "").strip().splitlines()
            rows.append((name, summary[0] if summary else ""))
    return rows


def print_help() -> None:
    print("usage: defus <command> [options]   (defus <command> --help for its options)\n")
    print("DEFUS platform commands:")
    for name, summary in _project_commands():
        print(f"  {name:<18} {summary}")
    print("\nDjango commands: defus help --all (migrate, createsuperuser, runserver, ...)")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defus.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "defus"
    if len(argv) == 1 or argv[1] in {"-h", "--help"} or argv[1:] == ["help"]:
        print_help()
        return
    if argv[1:] == ["help", "--all"]:
        argv = argv[:2]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
