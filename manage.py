#!/usr/bin/env python
"""Django's manage.py; `defus` (defus/cli.py) is the same with a project-first help."""

from defus.cli import main

if __name__ == "__main__":
    main()
